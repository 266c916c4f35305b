"""Payments and credit-note allocations: each moves an invoice's AmountPaid or AmountCredited
and AmountDue, and its status to PAID and back (spec digest sections 2.3 and 2.9)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from roofops.integrations.xero.dates import day_ms_date, parse_day
from roofops.sandbox.xero import errors
from roofops.sandbox.xero.documents import (
    CREDIT_NOTE,
    INVOICE,
    check_unlocked,
    find,
    money,
    resettle,
)
from roofops.sandbox.xero.store import ZERO, Books, Entity

PAYMENT_TYPES = {
    "ACCREC": "ACCRECPAYMENT",
    "ACCPAY": "ACCPAYPAYMENT",
    "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT",
}
EXCEEDS = "Payment amount exceeds the amount outstanding on this document"


def create_payment(books: Books, body: Entity) -> Entity:
    """A payment applied to one AUTHORISED invoice, from a bank (or payments-enabled) account."""
    with books.lock:
        invoice = find(books, INVOICE, body.get("Invoice") or {})
        if invoice is None:
            raise errors.validation(body, "Invoice could not be found")
        if invoice["Status"] != "AUTHORISED":
            raise errors.validation(
                body, f"Payment cannot be applied to an invoice with status {invoice['Status']}"
            )
        amount, day = _amount(body), _date(body)
        if amount > invoice["AmountDue"]:
            raise errors.validation(body, EXCEEDS)
        check_unlocked(books, body, day)
        payment = books.save("Payments", _payment(books, body, invoice, amount, day))
        summary = _summary(payment)
        paid = {
            **invoice,
            "AmountPaid": invoice["AmountPaid"] + amount,
            "Payments": [*invoice["Payments"], summary],
        }
        resettle(books, INVOICE, paid)
        return payment


def delete_payment(books: Books, payment_id: str, body: Entity) -> Entity:
    """``{"Status": "DELETED"}``: the invoice owes the amount again."""
    with books.lock:
        payment = books.get("Payments", payment_id)
        if payment is None:
            raise errors.not_found("Payments", payment_id)
        if body.get("Status") != "DELETED" or payment["Status"] == "DELETED":
            raise errors.validation(body, "Only an AUTHORISED payment can be DELETED")
        check_unlocked(books, body, parse_day(payment["Date"]))
        deleted = books.save("Payments", {**payment, "Status": "DELETED"})
        invoice = books.get("Invoices", payment["Invoice"]["InvoiceID"])
        if invoice is not None:
            kept = [p for p in invoice["Payments"] if p["PaymentID"] != payment["PaymentID"]]
            unpaid = {
                **invoice,
                "AmountPaid": invoice["AmountPaid"] - payment["Amount"],
                "Payments": kept,
            }
            resettle(books, INVOICE, unpaid)
        return deleted


def allocate_credit(books: Books, credit_note_id: str, body: Entity) -> Entity:
    """Apply part of an AUTHORISED credit note to an AUTHORISED invoice of the same contact."""
    with books.lock:
        note = books.get("CreditNotes", credit_note_id)
        if note is None:
            raise errors.not_found("CreditNotes", credit_note_id)
        invoice = find(books, INVOICE, body.get("Invoice") or {})
        if invoice is None or invoice["Status"] != "AUTHORISED" or note["Status"] != "AUTHORISED":
            raise errors.validation(body, "Both documents must be AUTHORISED to allocate credit")
        amount, day = _amount(body), _date(body)
        if amount > min(invoice["AmountDue"], note["RemainingCredit"]):
            raise errors.validation(body, "The allocation exceeds what is left on a document")
        check_unlocked(books, body, day)
        allocation = {
            "AllocationID": str(uuid.uuid4()),
            "Amount": amount,
            "Date": day_ms_date(day),
            "Invoice": {
                "InvoiceID": invoice["InvoiceID"],
                "InvoiceNumber": invoice["InvoiceNumber"],
            },
        }
        credited = {
            **note,
            "AppliedAmount": note.get("AppliedAmount", ZERO) + amount,
            "Allocations": [*note["Allocations"], allocation],
        }
        resettle(books, CREDIT_NOTE, credited)
        reference = {"CreditNoteID": note["CreditNoteID"], "AppliedAmount": amount}
        invoice = {
            **invoice,
            "AmountCredited": invoice["AmountCredited"] + amount,
            "CreditNotes": [*invoice["CreditNotes"], reference],
        }
        resettle(books, INVOICE, invoice)
        return allocation


def _amount(body: Entity) -> Decimal:
    try:
        amount = money(body.get("Amount"))
    except ValueError as exc:
        raise errors.validation(body, "Amount must be a number") from exc
    if amount <= 0:
        raise errors.validation(body, "Amount must be greater than zero")
    return amount


def _date(body: Entity) -> date:
    try:
        return parse_day(str(body.get("Date") or ""))
    except ValueError as exc:
        raise errors.validation(body, "Date is required and must be a date") from exc


def _account(books: Books, body: Entity) -> Entity:
    given: Any = body.get("Account") or {}
    for account in books.accounts:
        named = account["AccountID"] == given.get("AccountID") or account["Code"] == given.get(
            "Code"
        )
        if named and (account["Type"] == "BANK" or account.get("EnablePaymentsToAccount")):
            return account
    raise errors.validation(
        body,
        "Payments can only be made to bank accounts and accounts with payments enabled",
    )


def _payment(books: Books, body: Entity, invoice: Entity, amount: Decimal, day: date) -> Entity:
    account = _account(books, body)
    return {
        "PaymentID": str(uuid.uuid4()),
        "Date": day_ms_date(day),
        "Amount": amount,
        "BankAmount": amount,
        "CurrencyRate": Decimal(1),
        "Reference": str(body.get("Reference") or ""),
        "IsReconciled": False,
        "Status": "AUTHORISED",
        "PaymentType": PAYMENT_TYPES[invoice["Type"]],
        "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": account["AccountID"], "Code": account["Code"]},
        "Invoice": {
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice["InvoiceNumber"],
            "Type": invoice["Type"],
            "Contact": {
                "ContactID": invoice["Contact"]["ContactID"],
                "Name": invoice["Contact"]["Name"],
            },
        },
    }


def _summary(payment: Entity) -> Entity:
    """How a payment shows inside its invoice's ``Payments``."""
    keys = ("PaymentID", "Date", "Amount", "Reference", "CurrencyRate", "HasAccount")
    return {key: payment[key] for key in keys} | {"HasValidationErrors": False}
