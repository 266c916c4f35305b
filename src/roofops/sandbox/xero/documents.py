"""Invoices and credit notes: lines, totals, tracking, status rules and lock dates (spec digest
sections 2.3 and 2.9).

A document's money is recomputed from its lines on every write; ``AmountPaid``,
``AmountCredited`` and ``AmountDue`` follow the payments and credit allocations applied to it
(payments.py). Anything Xero would refuse raises a ValidationException naming the element.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from roofops.integrations.xero.dates import day_ms_date, day_string, parse_day
from roofops.sandbox.xero import errors
from roofops.sandbox.xero.contacts import contact_by_name_or_new
from roofops.sandbox.xero.store import ZERO, Books, Entity

CENT = Decimal("0.01")
TAX_RATES = {"NONE": ZERO, "EXEMPTOUTPUT": ZERO, "OUTPUT": Decimal("0.0825")}
AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
EDITABLE = frozenset({"DRAFT", "SUBMITTED"})
NOT_MODIFIABLE = "Invoice not of valid status for modification"
MAX_TRACKING = 2
# What a writer may send; the rest (totals, amounts due, stamps) Xero works out itself.
WRITABLE = frozenset(
    [
        "Type",
        "Contact",
        "LineItems",
        "Date",
        "DueDate",
        "LineAmountTypes",
        "Reference",
        "Status",
        "CurrencyCode",
        "SentToContact",
        "ExpectedPaymentDate",
        "BrandingThemeID",
    ]
)


@dataclass(frozen=True)
class Kind:
    """What differs between invoices and credit notes."""

    resource: str
    id_field: str
    number_field: str
    types: frozenset[str]
    prefix: str


INVOICE = Kind("Invoices", "InvoiceID", "InvoiceNumber", frozenset({"ACCREC", "ACCPAY"}), "INV-")
CREDIT_NOTE = Kind(
    "CreditNotes",
    "CreditNoteID",
    "CreditNoteNumber",
    frozenset({"ACCRECCREDIT", "ACCPAYCREDIT"}),
    "CN-",
)


def money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount") from exc


def _number(value: Any, default: str) -> Decimal:
    try:
        return Decimal(str(value if value is not None else default))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc


# ----- creating and updating -------------------------------------------------------------
def create(books: Books, kind: Kind, body: Entity) -> Entity:
    """PUT: a new document; an ACCREC number already in use is refused."""
    if body.get(kind.id_field):
        raise errors.validation(body, f"{kind.id_field} must not be set on a new document")
    status = str(body.get("Status") or "DRAFT")
    if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        raise errors.validation(body, f"A new document cannot have the status {status}")
    row = {
        kind.id_field: str(uuid.uuid4()),
        kind.number_field: str(body.get(kind.number_field) or ""),
        "Status": status,
        "AmountPaid": ZERO,
        "AmountCredited": ZERO,
        "Payments": [],
        "CreditNotes" if kind is INVOICE else "Allocations": [],
        **_base_fields(kind),
    }
    return _write(books, kind, row, body, creating=True)


def update(books: Books, kind: Kind, record_id: str, body: Entity) -> Entity:
    """POST to one document: its fields and status, within Xero's transition rules."""
    current = books.get(kind.resource, record_id)
    if current is None:
        raise errors.not_found(kind.resource, record_id)
    target = str(body.get("Status") or current["Status"])
    _check_transition(current, target, body)
    if target in ("VOIDED", "DELETED"):
        check_unlocked(books, body, parse_day(current["Date"]))
        return books.save(kind.resource, _zeroed({**current, "Status": target}))
    return _write(books, kind, {**current, "Status": target}, body, creating=False)


def find(books: Books, kind: Kind, element: Entity) -> Entity | None:
    """The document an element names, by id or else by number (POST's create-or-update)."""
    record_id = element.get(kind.id_field)
    if record_id:
        return books.get(kind.resource, str(record_id))
    number = element.get(kind.number_field)
    if not number:
        return None
    return next(
        (row for row in books.rows(kind.resource) if row[kind.number_field] == number), None
    )


def _base_fields(kind: Kind) -> Entity:
    fields: Entity = {
        "CurrencyCode": "USD",
        "CurrencyRate": Decimal(1),
        "HasAttachments": False,
        "HasErrors": False,
        "SentToContact": False,
        "Reference": "",
    }
    if kind is INVOICE:
        fields.update(Prepayments=[], Overpayments=[], IsDiscounted=False)
    return fields


def _write(books: Books, kind: Kind, row: Entity, body: Entity, *, creating: bool) -> Entity:
    with books.lock:
        merged = {**row, **{key: value for key, value in body.items() if key in WRITABLE}}
        merged = _validated(books, kind, merged, body)
        _check_number(books, kind, merged, body)
        check_unlocked(books, body, parse_day(merged["Date"]))
        if not creating and parse_day(row["Date"]) != parse_day(merged["Date"]):
            check_unlocked(books, body, parse_day(row["Date"]))
        if not merged[kind.number_field] and merged["Type"] in ("ACCREC", "ACCRECCREDIT"):
            merged[kind.number_field] = books.next_number(kind.prefix)
        return books.save(kind.resource, _settled(merged))


def _validated(books: Books, kind: Kind, row: Entity, body: Entity) -> Entity:
    try:
        return _shaped(books, kind, row)
    except ValueError as exc:
        raise errors.validation(body, str(exc)) from exc


def _shaped(books: Books, kind: Kind, row: Entity) -> Entity:
    if row.get("Type") not in kind.types:
        raise ValueError(f"Type must be one of {', '.join(sorted(kind.types))}")
    amount_types = str(row.get("LineAmountTypes") or "Exclusive")
    if amount_types not in AMOUNT_TYPES:
        raise ValueError(f"LineAmountTypes {amount_types!r} is not valid")
    day = _day(row.get("Date"), "Date")
    due = _day(row["DueDate"], "DueDate") if row.get("DueDate") else None
    lines = [_line(books, line, amount_types) for line in row.get("LineItems") or []]
    shaped = {
        **row,
        "Contact": contact_reference(books, row.get("Contact")),
        "LineAmountTypes": amount_types,
        "LineItems": lines,
        "Date": day_ms_date(day),
        "DateString": day_string(day),
        **_totals(lines, amount_types),
    }
    if due is not None:
        shaped.update(DueDate=day_ms_date(due), DueDateString=day_string(due))
    return shaped


def _day(value: Any, field: str) -> date:
    if not value:
        raise ValueError(f"{field} is required")
    try:
        return parse_day(str(value))
    except ValueError as exc:
        raise ValueError(f"{field} {value!r} is not a date") from exc


def contact_reference(books: Books, contact: Any) -> Entity:
    """The contact a document names by ContactID, or by Name (Xero creates one it lacks)."""
    if not isinstance(contact, dict) or not (contact.get("ContactID") or contact.get("Name")):
        raise ValueError("A Contact with a ContactID or a Name is required")
    if contact.get("ContactID"):
        found = books.get("Contacts", str(contact["ContactID"]))
        if found is None:
            raise ValueError(f"The contact {contact['ContactID']} does not exist")
    else:
        found = contact_by_name_or_new(books, str(contact["Name"]))
    return {
        "ContactID": found["ContactID"],
        "Name": found["Name"],
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasValidationErrors": False,
    }


def _line(books: Books, raw: Any, amount_types: str) -> Entity:
    if not isinstance(raw, dict) or not (raw.get("Description") or raw.get("ItemCode")):
        raise ValueError("The description field is mandatory for each line item.")
    quantity = _number(raw.get("Quantity"), "1")
    unit = _number(raw.get("UnitAmount"), "0")
    if raw.get("UnitAmount") is None and raw.get("LineAmount") is not None and quantity:
        unit = _number(raw["LineAmount"], "0") / quantity
    discount = _number(raw.get("DiscountRate"), "0")
    line_amount = money(quantity * unit * (1 - discount / 100))
    tax_type = str(raw.get("TaxType") or "NONE")
    if tax_type not in TAX_RATES:
        raise ValueError(f"TaxType code '{tax_type}' does not exist or cannot be used")
    _check_account(books, raw.get("AccountCode"))
    line = {
        "LineItemID": str(raw.get("LineItemID") or uuid.uuid4()),
        "Description": str(raw.get("Description") or ""),
        "Quantity": quantity,
        "UnitAmount": unit,
        "TaxType": tax_type,
        "TaxAmount": _tax(line_amount, TAX_RATES[tax_type], amount_types),
        "LineAmount": line_amount,
        "Tracking": _tracking(books, raw.get("Tracking") or []),
    }
    for optional in ("AccountCode", "ItemCode"):
        if raw.get(optional):
            line[optional] = str(raw[optional])
    if discount:
        line["DiscountRate"] = discount
    return line


def _check_account(books: Books, code: Any) -> None:
    if code and not any(account["Code"] == str(code) for account in books.accounts):
        raise ValueError(f"Account code '{code}' is not a valid code for this document.")


def _tax(line_amount: Decimal, rate: Decimal, amount_types: str) -> Decimal:
    if amount_types == "NoTax" or not rate:
        return ZERO
    if amount_types == "Inclusive":
        return money(line_amount - line_amount / (1 + rate))
    return money(line_amount * rate)


def _tracking(books: Books, given: list[Any]) -> list[Entity]:
    if len(given) > MAX_TRACKING:
        raise ValueError("A line item can have at most two tracking categories")
    return [_tracking_option(books, item) for item in given]


def _tracking_option(books: Books, item: Any) -> Entity:
    item = item if isinstance(item, dict) else {}
    for category in books.tracking:
        if (
            item.get("TrackingCategoryID", category["TrackingCategoryID"])
            != category["TrackingCategoryID"]
            or item.get("Name", category["Name"]) != category["Name"]
        ):
            continue
        for option in category["Options"]:
            if option["TrackingOptionID"] == item.get("TrackingOptionID") or option[
                "Name"
            ] == item.get("Option"):
                return {
                    "TrackingCategoryID": category["TrackingCategoryID"],
                    "TrackingOptionID": option["TrackingOptionID"],
                    "Name": category["Name"],
                    "Option": option["Name"],
                }
    raise ValueError(f"The tracking option {item.get('Name')}/{item.get('Option')} does not exist")


def _totals(lines: list[Entity], amount_types: str) -> Entity:
    tax = sum((line["TaxAmount"] for line in lines), ZERO)
    amounts = sum((line["LineAmount"] for line in lines), ZERO)
    subtotal = amounts - tax if amount_types == "Inclusive" else amounts
    return {"SubTotal": subtotal, "TotalTax": tax, "Total": subtotal + tax}


def _settled(row: Entity) -> Entity:
    """What is still due (an invoice) or left to apply (a credit note); PAID once it is 0."""
    if "CreditNoteID" in row:
        due = row["Total"] - row.get("AppliedAmount", ZERO)
        settled = {**row, "RemainingCredit": due}
    else:
        due = row["Total"] - row.get("AmountPaid", ZERO) - row.get("AmountCredited", ZERO)
        settled = {**row, "AmountDue": due}
    if row["Status"] == "AUTHORISED" and due <= 0 and row["Total"] > 0:
        settled.update(Status="PAID", FullyPaidOnDate=row.get("FullyPaidOnDate") or row["Date"])
    elif row["Status"] == "PAID" and due > 0:
        settled["Status"] = "AUTHORISED"
        settled.pop("FullyPaidOnDate", None)
    return settled


def resettle(books: Books, kind: Kind, row: Entity) -> Entity:
    """Save a document whose payments or allocations changed."""
    return books.save(kind.resource, _settled(row))


def _zeroed(row: Entity) -> Entity:
    """A voided or deleted document owes nothing and has nothing left to apply."""
    key = "RemainingCredit" if "CreditNoteID" in row else "AmountDue"
    return {**row, key: ZERO}


def _check_transition(current: Entity, target: str, body: Entity) -> None:
    status = current["Status"]
    paid = current.get("AmountPaid", ZERO) > 0 or current.get("AmountCredited", ZERO) > 0
    allowed = {
        "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
        "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
        "AUTHORISED": {"AUTHORISED", "VOIDED"},
        "PAID": {"PAID"},
    }.get(status, set())
    if target not in allowed or (status == "PAID" and _changes_money(body)):
        raise errors.validation(body, NOT_MODIFIABLE)
    if target == "VOIDED" and paid:
        raise errors.validation(body, "A document with payments or credit applied cannot be voided")
    if status == "AUTHORISED" and paid and _changes_money(body):
        raise errors.validation(body, NOT_MODIFIABLE)


def _changes_money(body: Entity) -> bool:
    return any(key in body for key in ("LineItems", "LineAmountTypes", "Date"))


RECEIVABLE_TYPES = frozenset({"ACCREC", "ACCRECCREDIT"})


def _check_number(books: Books, kind: Kind, row: Entity, body: Entity) -> None:
    """Receivable numbers are unique among receivables; payable ones are the supplier's and may
    repeat, also a sales invoice's number (a supplier's bill 1261 beside our invoice 1261)."""
    number = row[kind.number_field]
    if not number or row["Type"] not in RECEIVABLE_TYPES:
        return
    for other in books.rows(kind.resource):
        if other["Type"] not in RECEIVABLE_TYPES:
            continue
        if other[kind.number_field] == number and other[kind.id_field] != row[kind.id_field]:
            raise errors.validation(
                body, f"{kind.number_field.replace('Number', '')} # must be unique."
            )


def check_unlocked(books: Books, body: Entity, day: date) -> None:
    """Nothing is written dated on or before a lock date."""
    lock = books.locked_through()
    if lock is not None and day <= lock[0]:
        locked, which = lock
        raise errors.validation(
            body,
            f"The document date {day.isoformat()} is on or before the {which} lock date "
            f"{locked.isoformat()}",
        )
