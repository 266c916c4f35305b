"""Invoice writes, deletes of other transactions, batch and ``requestid`` replay (spec digest
sections 1.3 and 1.6)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from roofops.sandbox.quickbooks import errors
from roofops.sandbox.quickbooks.errors import FakeFault
from roofops.sandbox.quickbooks.store import Books, Entity

BATCH_LIMIT = 30


def names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Invoice and Line element names from qbo-xsd/Finance.xsd (Invoice extends Transaction extends
# IntuitEntity), plus the JSON-only attributes; anything else is refused as QuickBooks does.
INVOICE_FIELDS = names(
    """Id SyncToken MetaData CustomField AttachableRef DocNumber TxnDate DepartmentRef
    CurrencyRef ExchangeRate PrivateNote TxnStatus LinkedTxn Line TxnTaxDetail TxnSource
    TaxFormType TaxFormNum TransactionLocationType Tag TxnApprovalInfo RecurDataRef
    RecurringInfo ProjectRef TotalCostAmount HomeTotalCostAmount AutoDocNumber CustomerRef
    CustomerMemo BillAddr ShipAddr FreeFormAddress ShipFromAddr RemitToRef ClassRef
    SalesTermRef DueDate SalesRepRef PONumber FOB ShipMethodRef ShipDate TrackingNum
    GlobalTaxCalculation TotalAmt HomeTotalAmt ApplyTaxAfterDiscount
    ShippingTaxIncludedInTotalTax TemplateRef PrintStatus EmailStatus BillEmail BillEmailCc
    BillEmailBcc ARAccountRef Balance HomeBalance FinanceCharge PaymentMethodRef PaymentRefNum
    PaymentType CheckPayment CreditCardPayment DepositToAccountRef DeliveryInfo DiscountRate
    DiscountAmt GovtTxnRefIdentifier TaxExemptionRef Deposit AllowIPNPayment AllowOnlinePayment
    AllowOnlineCreditCardPayment AllowOnlineACHPayment AllowOnlinePayPalPayment EInvoiceStatus
    ECloudStatusTimeStamp InvoiceLink sparse domain status"""
)
LINE_FIELDS = names(
    """Id LineNum Description Amount Received LinkedTxn DetailType PaymentLineDetail
    DiscountLineDetail TaxLineDetail SalesItemLineDetail DescriptionLineDetail GroupLineDetail
    SubTotalLineDetail CustomField LineEx ProjectRef CostAmount HomeCostAmount"""
)
WRITE_OPERATIONS = ("create", "update", "delete", "void")
# Transactions the fake deletes besides invoices; name lists are never deleted, only inactive.
DELETABLE = frozenset({"Bill", "Payment", "Purchase", "TimeActivity"})

QueryRunner = Callable[[str], dict[str, Any]]


def write_invoice(books: Books, body: Entity, operation: str | None) -> Entity:
    """Create, update (sparse or full), delete or void; the stored result. Nothing dated on or
    before the closing date is written, nor moved there."""
    if operation in ("delete", "void"):
        invoice_id, sync_token = _identity(body)
        current = books.get("Invoice", invoice_id)
        if current is not None:
            check_open(books, current.get("TxnDate"))
        if operation == "delete":
            return books.delete("Invoice", invoice_id, sync_token=sync_token)
        return books.void_invoice(invoice_id, sync_token=sync_token)
    if operation not in (None, "create", "update"):
        raise FakeFault("500", "Unsupported Operation", f"operation={operation}")
    sparse = bool(body.get("sparse"))
    _validate(books, body, partial=sparse)
    if "Id" not in body:
        check_open(books, body.get("TxnDate") or _today(books))
        return books.add("Invoice", _numbered(body))
    invoice_id, sync_token = _identity(body)
    current = books.get("Invoice", invoice_id)
    check_open(books, body.get("TxnDate") or (current or {}).get("TxnDate"))
    if current is not None:
        check_open(books, current.get("TxnDate"))
    return books.replace(
        "Invoice", invoice_id, _numbered(body), sync_token=sync_token, sparse=sparse
    )


def check_open(books: Books, txn_date: Any) -> None:
    """Refuse a transaction dated on or before the books' closing date."""
    closed = books.book_close_date
    if closed is None or not txn_date:
        return
    if date.fromisoformat(str(txn_date)[:10]) <= closed:
        raise errors.closed_period(str(txn_date)[:10], closed.isoformat())


def _today(books: Books) -> str:
    return books.clock().astimezone(books.zone).date().isoformat()


def write_customer(books: Books, body: Entity) -> Entity:
    """Create a customer or a project (``Job: true`` under a ``ParentRef``). DisplayName is
    required and unique (6240), as in QuickBooks; updates are not needed by roofops."""
    if "Id" in body:
        raise FakeFault("500", "Unsupported Operation", "the fake creates customers only")
    name = str(body.get("DisplayName") or "").strip()
    if not name:
        raise errors.required_missing("DisplayName")
    if any(row.get("DisplayName") == name for row in books.rows("Customer")):
        raise errors.duplicate_name(name)
    if "ParentRef" in body:
        _reference(books, "Customer", "ParentRef", body["ParentRef"])
    return books.add("Customer", {**body, "DisplayName": name})


def delete_transaction(books: Books, entity: str, body: Entity, operation: str | None) -> Entity:
    """``POST /{entity}?operation=delete`` with ``{"Id", "SyncToken"}``: the transaction leaves
    every query and shows in CDC as a ``status: "Deleted"`` stub."""
    if operation != "delete" or entity not in DELETABLE:
        what = f"operation={operation}" if operation else "create or update"
        raise FakeFault("500", "Unsupported Operation", f"the fake does not {what} {entity}")
    entity_id, sync_token = _identity(body)
    return books.delete(entity, entity_id, sync_token=sync_token)


def _identity(body: Entity) -> tuple[str, str]:
    for field in ("Id", "SyncToken"):
        if body.get(field) in (None, ""):
            raise errors.required_missing(field)
    return str(body["Id"]), str(body["SyncToken"])


def _validate(books: Books, body: Entity, *, partial: bool) -> None:
    unknown = sorted(set(body) - INVOICE_FIELDS)
    if unknown:
        raise errors.unsupported_property(unknown[0])
    for field in ("CustomerRef", "Line"):
        if not partial and not body.get(field):
            raise errors.required_missing(field)
    if "CustomerRef" in body:
        _reference(books, "Customer", "CustomerRef", body["CustomerRef"])
    for line in body.get("Line", []):
        _validate_line(books, line)


def _validate_line(books: Books, line: Entity) -> None:
    unknown = sorted(set(line) - LINE_FIELDS)
    if unknown:
        raise errors.unsupported_property(f"Line.{unknown[0]}")
    if "Amount" not in line and line.get("DetailType") != "SubTotalLineDetail":
        raise errors.required_missing("Line.Amount")
    detail = line.get("SalesItemLineDetail") or {}
    if "ItemRef" in detail:
        _reference(books, "Item", "ItemRef", detail["ItemRef"])


def _reference(books: Books, entity: str, field: str, ref: Any) -> None:
    value = str(ref.get("value", "")) if isinstance(ref, dict) else ""
    if books.get(entity, value) is None:
        raise errors.invalid_reference(field, value)


def _numbered(body: Entity) -> Entity:
    if "Line" not in body:
        return body
    lines = [
        {"Id": str(number), "LineNum": number, **line}
        for number, line in enumerate(body["Line"], start=1)
    ]
    return {**body, "Line": lines}


def run_batch(books: Books, body: Entity, run_query: QueryRunner) -> list[Entity]:
    """Each item succeeds or carries its own Fault inside an HTTP 200, as QuickBooks does."""
    items = body.get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise errors.required_missing("BatchItemRequest")
    if len(items) > BATCH_LIMIT:
        raise errors.business_rule(f"A batch holds at most {BATCH_LIMIT} items")
    return [_batch_item(books, item, run_query) for item in items]


def _batch_item(books: Books, item: Entity, run_query: QueryRunner) -> Entity:
    bid = str(item.get("bId", ""))
    try:
        if "Query" in item:
            return {"bId": bid, "QueryResponse": run_query(str(item["Query"]))}
        if "Invoice" in item and item.get("operation") in WRITE_OPERATIONS:
            operation = None if item["operation"] == "update" else item["operation"]
            return {"bId": bid, "Invoice": write_invoice(books, item["Invoice"], operation)}
        raise FakeFault("500", "Unsupported Operation", "the fake batches Invoice and Query only")
    except FakeFault as fault:
        return {"bId": bid, "Fault": fault.fault()}


class ReplayCache:
    """The first successful answer to each ``(realm, requestid)``, returned for any repeat.

    Only successes are kept: a refused write did nothing, so repeating it should be judged
    afresh (QuickBooks' own retention and rules are undocumented; see the spec digest).
    """

    def __init__(self) -> None:
        self._answers: dict[tuple[str, str], tuple[int, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, realm_id: str, request_id: str) -> tuple[int, bytes] | None:
        with self._lock:
            return self._answers.get((realm_id, request_id))

    def put(self, realm_id: str, request_id: str, status: int, body: bytes) -> None:
        with self._lock:
            self._answers.setdefault((realm_id, request_id), (status, body))
