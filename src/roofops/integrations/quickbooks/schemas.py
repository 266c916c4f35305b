"""Pydantic models of the QuickBooks entities we read, and the invoice we write.

Field names are snake_case versions of the XSD element names (``TotalAmt`` -> ``total_amt``);
only the fields we use are declared and the rest are ignored, so new vendor fields never break
parsing. Money is ``Decimal`` (the client parses JSON numbers straight to Decimal), moments are
aware datetimes in the company's offset, dates are dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal

ZERO = Decimal("0.00")


class QboModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal, populate_by_name=True, extra="ignore", frozen=True
    )


class Ref(BaseModel):
    """``{"value": "<Id>", "name": "<display>"}``: the one shape with lowercase keys."""

    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)

    value: str
    name: str | None = None


class MetaData(QboModel):
    create_time: datetime | None = None
    last_updated_time: datetime


class LinkedTxn(QboModel):
    txn_id: str
    txn_type: str
    txn_line_id: str | None = None


class SalesItemLineDetail(QboModel):
    item_ref: Ref | None = None
    class_ref: Ref | None = None
    qty: Decimal | None = None
    unit_price: Decimal | None = None
    service_date: date | None = None


class AccountBasedExpenseLineDetail(QboModel):
    account_ref: Ref
    customer_ref: Ref | None = None
    class_ref: Ref | None = None
    billable_status: str | None = None


class ItemBasedExpenseLineDetail(QboModel):
    item_ref: Ref
    customer_ref: Ref | None = None
    class_ref: Ref | None = None
    qty: Decimal | None = None
    unit_price: Decimal | None = None


class Line(QboModel):
    id: str | None = None
    line_num: int | None = None
    description: str | None = None
    amount: Decimal = ZERO
    detail_type: str = ""
    linked_txn: list[LinkedTxn] = Field(default_factory=list)
    sales_item_line_detail: SalesItemLineDetail | None = None
    account_based_expense_line_detail: AccountBasedExpenseLineDetail | None = None
    item_based_expense_line_detail: ItemBasedExpenseLineDetail | None = None

    @property
    def customer_ref(self) -> Ref | None:
        """The project (sub-customer) an expense line is allocated to, if any."""
        detail = self.account_based_expense_line_detail or self.item_based_expense_line_detail
        return detail.customer_ref if detail else None

    @property
    def class_ref(self) -> Ref | None:
        detail = (
            self.account_based_expense_line_detail
            or self.item_based_expense_line_detail
            or self.sales_item_line_detail
        )
        return detail.class_ref if detail else None


class QboEntity(QboModel):
    """What every entity has. ``entity_name`` is the API name used in queries and URLs;
    ``name_list`` marks the lists QuickBooks never deletes, only makes inactive."""

    entity_name: ClassVar[str] = ""
    name_list: ClassVar[bool] = False

    id: str
    sync_token: str
    meta_data: MetaData

    @property
    def last_updated(self) -> datetime:
        return self.meta_data.last_updated_time


class Transaction(QboEntity):
    doc_number: str | None = None
    txn_date: date | None = None
    private_note: str | None = None
    line: list[Line] = Field(default_factory=list)
    linked_txn: list[LinkedTxn] = Field(default_factory=list)
    total_amt: Decimal = ZERO


class Invoice(Transaction):
    entity_name: ClassVar[str] = "Invoice"

    customer_ref: Ref
    due_date: date | None = None
    balance: Decimal = ZERO

    @property
    def is_voided(self) -> bool:
        """QuickBooks zeroes a voided invoice and prefixes "Voided" to its PrivateNote."""
        note = (self.private_note or "").lower()
        return note.startswith("voided") and self.total_amt == 0


class Payment(Transaction):
    entity_name: ClassVar[str] = "Payment"

    customer_ref: Ref
    unapplied_amt: Decimal | None = None
    payment_ref_num: str | None = None

    def applied(self) -> list[tuple[str, Decimal]]:
        """``(invoice Id, amount)`` for each invoice this payment pays."""
        return [
            (link.txn_id, line.amount)
            for line in self.line
            for link in line.linked_txn
            if link.txn_type == "Invoice"
        ]


class Bill(Transaction):
    entity_name: ClassVar[str] = "Bill"

    vendor_ref: Ref
    due_date: date | None = None
    balance: Decimal = ZERO


class Purchase(Transaction):
    entity_name: ClassVar[str] = "Purchase"

    payment_type: str
    account_ref: Ref
    entity_ref: Ref | None = None
    credit: bool = False


class EmailAddress(QboModel):
    address: str | None = None


class Phone(QboModel):
    free_form_number: str | None = None


class Customer(QboEntity):
    entity_name: ClassVar[str] = "Customer"
    name_list: ClassVar[bool] = True

    display_name: str
    given_name: str | None = None
    family_name: str | None = None
    company_name: str | None = None
    fully_qualified_name: str | None = None
    primary_email_addr: EmailAddress | None = None
    primary_phone: Phone | None = None
    active: bool = True
    job: bool = False
    parent_ref: Ref | None = None
    balance: Decimal = ZERO


class CustomerDraft(BaseModel):
    """A new customer, or a project (``parent_id``: the customer it belongs to)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    display_name: str = Field(min_length=1, max_length=500)
    parent_id: str | None = None
    email: str | None = None

    def to_qbo(self) -> dict[str, Any]:
        body: dict[str, Any] = {"DisplayName": self.display_name}
        if self.parent_id:
            body.update(Job=True, BillWithParent=False, ParentRef={"value": self.parent_id})
        if self.email:
            body["PrimaryEmailAddr"] = {"Address": self.email}
        return body


class AccountingInfoPrefs(QboModel):
    book_close_date: date | None = None


class Preferences(QboModel):
    """The company's preferences; roofops reads the closing date only."""

    accounting_info_prefs: AccountingInfoPrefs = Field(default_factory=AccountingInfoPrefs)

    @property
    def book_close_date(self) -> date | None:
        return self.accounting_info_prefs.book_close_date


class Vendor(QboEntity):
    entity_name: ClassVar[str] = "Vendor"
    name_list: ClassVar[bool] = True

    display_name: str
    company_name: str | None = None
    active: bool = True


class Item(QboEntity):
    entity_name: ClassVar[str] = "Item"
    name_list: ClassVar[bool] = True

    name: str
    type: str | None = None
    active: bool = True
    income_account_ref: Ref | None = None
    expense_account_ref: Ref | None = None
    unit_price: Decimal | None = None
    purchase_cost: Decimal | None = None


class Account(QboEntity):
    entity_name: ClassVar[str] = "Account"
    name_list: ClassVar[bool] = True

    name: str
    account_type: str
    account_sub_type: str | None = None
    acct_num: str | None = None
    fully_qualified_name: str | None = None
    classification: str | None = None
    active: bool = True


class QboClass(QboEntity):
    """QuickBooks' Class (a tracking category); named so it does not shadow ``class``."""

    entity_name: ClassVar[str] = "Class"
    name_list: ClassVar[bool] = True

    name: str
    fully_qualified_name: str | None = None
    parent_ref: Ref | None = None
    active: bool = True


class TimeActivity(QboEntity):
    entity_name: ClassVar[str] = "TimeActivity"

    txn_date: date | None = None
    name_of: str | None = None
    employee_ref: Ref | None = None
    vendor_ref: Ref | None = None
    customer_ref: Ref | None = None
    item_ref: Ref | None = None
    class_ref: Ref | None = None
    hours: int = 0
    minutes: int = 0
    hourly_rate: Decimal | None = None
    cost_rate: Decimal | None = None
    description: str | None = None

    @property
    def duration_hours(self) -> Decimal:
        return Decimal(self.hours) + Decimal(self.minutes) / 60


class DeletedEntity(QboModel):
    """A CDC stub: ``{"Id", "status": "Deleted", "MetaData": {"LastUpdatedTime"}}``."""

    id: str
    status: str = Field(alias="status")
    meta_data: MetaData | None = None


EntityT = TypeVar("EntityT", bound=QboEntity)


@dataclass(frozen=True)
class Malformed:
    """An entity that failed validation; the rest of its page is still used."""

    entity: str
    id: str | None
    error: str


@dataclass
class Page(Generic[EntityT]):
    """Entities of one query page (or of all pages, from ``query``)."""

    entities: list[EntityT] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    start_position: int = 1
    rows: int = 0
    # QuickBooks' own clock when it answered: a cursor on its clock, not ours.
    time: datetime | None = None


@dataclass
class CdcResult:
    """Changed and deleted entities since a moment.

    ``saturated`` means the answer hit QuickBooks' 1,000-object cap and more changes may exist:
    query that window by ``MetaData.LastUpdatedTime`` instead (it pages).
    """

    changed: dict[str, list[QboEntity]] = field(default_factory=dict)
    deleted: dict[str, list[DeletedEntity]] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    saturated: bool = False
    time: datetime | None = None

    def of(self, model: type[EntityT]) -> list[EntityT]:
        return [row for row in self.changed.get(model.entity_name, []) if isinstance(row, model)]


class InvoiceLineDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Decimal
    item_id: str
    description: str | None = None
    qty: Decimal | None = None
    unit_price: Decimal | None = None
    class_id: str | None = None

    def to_qbo(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"ItemRef": {"value": self.item_id}}
        optional = {"Qty": self.qty, "UnitPrice": self.unit_price}
        detail.update({key: value for key, value in optional.items() if value is not None})
        if self.class_id:
            detail["ClassRef"] = {"value": self.class_id}
        line: dict[str, Any] = {"Amount": self.amount, "DetailType": "SalesItemLineDetail"}
        if self.description:
            line["Description"] = self.description
        return {**line, "SalesItemLineDetail": detail}


class InvoicePatch(BaseModel):
    """Fields to change on an invoice; ``None`` leaves a field alone in a sparse update.

    Sending ``lines`` replaces every line, as QuickBooks does.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: str | None = None
    doc_number: str | None = None
    txn_date: date | None = None
    due_date: date | None = None
    private_note: str | None = None
    lines: list[InvoiceLineDraft] | None = None

    def to_qbo(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.customer_id is not None:
            body["CustomerRef"] = {"value": self.customer_id}
        scalars = {
            "DocNumber": self.doc_number,
            "TxnDate": self.txn_date.isoformat() if self.txn_date else None,
            "DueDate": self.due_date.isoformat() if self.due_date else None,
            "PrivateNote": self.private_note,
        }
        body.update({key: value for key, value in scalars.items() if value is not None})
        if self.lines is not None:
            body["Line"] = [line.to_qbo() for line in self.lines]
        return body


class InvoiceDraft(InvoicePatch):
    """A new invoice: a customer (or project sub-customer) and at least one line."""

    customer_id: str
    lines: list[InvoiceLineDraft] = Field(min_length=1)
