"""Customer payments in the fake: ``POST /payment`` creates one (its ``Line[]`` each paying one
invoice through ``LinkedTxn``), ``?operation=delete`` removes it. Each linked invoice's
``Balance`` is recomputed by the store (spec digest sections 1.3 and 1.9); what no line applies
is ``UnappliedAmt``, held on the customer's account. As QuickBooks, the fake refuses a line
that pays more than its invoice's open balance, and lines that add up to more than the payment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from roofops.sandbox.quickbooks import errors
from roofops.sandbox.quickbooks.errors import FakeFault
from roofops.sandbox.quickbooks.store import ZERO, Books, Entity
from roofops.sandbox.quickbooks.writes import delete_transaction, names

# Payment element names (qbo-xsd Finance.xsd, Payment extends Transaction) that the fake keeps.
PAYMENT_FIELDS = names(
    """Id SyncToken MetaData DocNumber TxnDate CurrencyRef ExchangeRate PrivateNote TxnStatus
    LinkedTxn Line TxnSource CustomerRef ARAccountRef DepositToAccountRef PaymentMethodRef
    PaymentRefNum CreditCardPayment TotalAmt UnappliedAmt ProcessPayment TaxExemptionRef
    sparse domain status"""
)
PAYMENT_LINE_FIELDS = names("Amount LinkedTxn LineEx")
OVER_BALANCE = "The payment amount exceeds the open balance of invoice {doc} ({balance})"
OVER_TOTAL = "The amounts applied ({applied}) exceed the payment's TotalAmt ({total})"


def write_payment(books: Books, body: Entity, operation: str | None) -> Entity:
    """Create (no ``Id``) or delete a payment; the stored result."""
    if operation == "delete":
        return delete_transaction(books, "Payment", body, operation)
    if operation not in (None, "create") or "Id" in body:
        raise FakeFault("500", "Unsupported Operation", "the fake creates and deletes payments")
    with books.lock:  # the balances checked are the balances paid
        return books.add("Payment", _checked(books, body))


def record_payment(
    books: Books, invoice_ids: Iterable[str], amounts: Iterable[Decimal], at: datetime
) -> Entity:
    """The demo's "Record payment": one payment of one customer split over its invoices."""
    paid = list(zip(invoice_ids, amounts, strict=True))
    lines = [
        {"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}
        for invoice_id, amount in paid
    ]
    first = books.get("Invoice", paid[0][0]) if paid else None
    body = {
        "CustomerRef": (first or {}).get("CustomerRef", {}),
        "TotalAmt": sum((amount for _, amount in paid), ZERO),
        "TxnDate": at.date().isoformat(),
        "PaymentRefNum": f"SANDBOX-{books.count('Payment') + 1}",
        "Line": lines,
    }
    return write_payment(books, body, "create")


def _checked(books: Books, body: Entity) -> Entity:
    unknown = sorted(set(body) - PAYMENT_FIELDS)
    if unknown:
        raise errors.unsupported_property(unknown[0])
    customer = _customer(books, body)
    total = _money(body, "TotalAmt")
    applied = _applied(books, body.get("Line") or [], customer)
    if applied > total:
        raise errors.business_rule(OVER_TOTAL.format(applied=applied, total=total))
    fields = {k: v for k, v in body.items() if k not in ("sparse", "domain", "status")}
    return {**fields, "TotalAmt": total, "UnappliedAmt": total - applied}


def _customer(books: Books, body: Entity) -> str:
    ref = body.get("CustomerRef")
    value = str(ref.get("value", "")) if isinstance(ref, dict) else ""
    if not value:
        raise errors.required_missing("CustomerRef")
    if books.get("Customer", value) is None:
        raise errors.invalid_reference("CustomerRef", value)
    return value


def _applied(books: Books, lines: list[Entity], customer: str) -> Decimal:
    """The sum the lines apply, each checked against its invoice's open balance (two lines on
    one invoice together)."""
    paying: dict[str, Decimal] = {}
    for line in lines:
        unknown = sorted(set(line) - PAYMENT_LINE_FIELDS)
        if unknown:
            raise errors.unsupported_property(f"Line.{unknown[0]}")
        amount = _money(line, "Amount")
        if amount <= 0:
            raise errors.business_rule("A payment line's Amount must be greater than zero")
        invoice = _linked_invoice(books, line, customer)
        paying[invoice["Id"]] = paying.get(invoice["Id"], ZERO) + amount
        if paying[invoice["Id"]] > invoice["Balance"]:
            doc = invoice.get("DocNumber") or invoice["Id"]
            raise errors.business_rule(OVER_BALANCE.format(doc=doc, balance=invoice["Balance"]))
    return sum(paying.values(), ZERO)


def _linked_invoice(books: Books, line: Entity, customer: str) -> Entity:
    links = [link for link in line.get("LinkedTxn") or [] if link.get("TxnType") == "Invoice"]
    if len(links) != 1:
        raise errors.business_rule("Each payment line links exactly one invoice (LinkedTxn)")
    invoice_id = str(links[0].get("TxnId", ""))
    invoice = books.get("Invoice", invoice_id)
    if invoice is None:
        raise errors.invalid_reference("Line.LinkedTxn.TxnId", invoice_id)
    if _customer_of(books, invoice) != _customer_of(books, {"CustomerRef": {"value": customer}}):
        raise errors.business_rule(f"Invoice {invoice_id} belongs to another customer")
    return invoice


def _customer_of(books: Books, document: Entity) -> str:
    """The top customer: a project's payments may be taken on its parent and the reverse."""
    customer_id = str(document.get("CustomerRef", {}).get("value", ""))
    customer: Any = books.get("Customer", customer_id) or {}
    parent = customer.get("ParentRef") or {}
    return str(parent.get("value") or customer_id)


def _money(body: Entity, field: str) -> Decimal:
    if body.get(field) in (None, ""):
        raise errors.required_missing(field)
    try:
        return Decimal(str(body[field])).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise errors.business_rule(f"{field} is not an amount") from exc
