"""Pydantic models of the Xero records we read, and of what we write (spec digest 2.3).

Field names are snake_case versions of Xero's (``AmountDue`` -> ``amount_due``; ids and
``UpdatedDateUTC`` spelled out). Only the fields we use are declared, the rest ignored. Money is
``Decimal`` (the client parses JSON numbers straight to Decimal); ``/Date(…)/`` values become
aware datetimes (moments) or dates (days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_pascal

from roofops.integrations.xero.dates import parse_day, parse_moment

ZERO = Decimal("0.00")


def _moment(value: Any) -> Any:
    return parse_moment(value) if isinstance(value, str) else value


def _day(value: Any) -> Any:
    return parse_day(value) if isinstance(value, str) else value


Moment = Annotated[datetime, BeforeValidator(_moment)]
Day = Annotated[date, BeforeValidator(_day)]
# Written as Xero asks: days as YYYY-MM-DD, amounts as JSON numbers of their exact decimal text.
WireDay = Annotated[date, PlainSerializer(lambda day: day.isoformat(), return_type=str)]
WireAmount = Annotated[Decimal, PlainSerializer(float, return_type=float)]


class XeroModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal, populate_by_name=True, extra="ignore", frozen=True
    )


class XeroRecord(XeroModel):
    """A pageable record: ``resource`` names its endpoint and envelope key."""

    resource: ClassVar[str]
    updated_date_utc: Moment = Field(alias="UpdatedDateUTC")

    @property
    def record_id(self) -> str:
        raise NotImplementedError


class ContactRef(XeroModel):
    contact_id: str = Field(alias="ContactID")
    name: str = ""


class Contact(XeroRecord):
    resource = "Contacts"
    contact_id: str = Field(alias="ContactID")
    name: str
    contact_status: str = "ACTIVE"
    email_address: str = ""
    first_name: str = ""
    last_name: str = ""

    @property
    def record_id(self) -> str:
        return self.contact_id


class TrackingChoice(XeroModel):
    """A line's tracking: the category and option by name (ids are optional on write)."""

    name: str
    option: str
    tracking_category_id: str | None = Field(default=None, alias="TrackingCategoryID")
    tracking_option_id: str | None = Field(default=None, alias="TrackingOptionID")


class LineItem(XeroModel):
    line_item_id: str | None = Field(default=None, alias="LineItemID")
    description: str = ""
    quantity: Decimal = Decimal(1)
    unit_amount: Decimal = ZERO
    account_code: str | None = None
    tax_type: str | None = None
    tax_amount: Decimal = ZERO
    line_amount: Decimal = ZERO
    tracking: list[TrackingChoice] = []


class PaymentSummary(XeroModel):
    payment_id: str = Field(alias="PaymentID")
    date: Day
    amount: Decimal
    reference: str = ""


class Invoice(XeroRecord):
    resource = "Invoices"
    invoice_id: str = Field(alias="InvoiceID")
    invoice_number: str = ""
    type: str
    status: str
    contact: ContactRef
    date: Day
    due_date: Day | None = None
    reference: str = ""
    line_amount_types: str = "Exclusive"
    line_items: list[LineItem] = []
    sub_total: Decimal = ZERO
    total_tax: Decimal = ZERO
    total: Decimal = ZERO
    amount_due: Decimal = ZERO
    amount_paid: Decimal = ZERO
    amount_credited: Decimal = ZERO
    fully_paid_on_date: Day | None = None
    payments: list[PaymentSummary] = []

    @property
    def record_id(self) -> str:
        return self.invoice_id


class InvoiceRef(XeroModel):
    invoice_id: str = Field(alias="InvoiceID")
    invoice_number: str = ""


class Payment(XeroRecord):
    resource = "Payments"
    payment_id: str = Field(alias="PaymentID")
    date: Day
    amount: Decimal
    reference: str = ""
    status: str
    payment_type: str = ""
    invoice: InvoiceRef

    @property
    def record_id(self) -> str:
        return self.payment_id


class Allocation(XeroModel):
    amount: Decimal
    date: Day
    invoice: InvoiceRef


class CreditNote(XeroRecord):
    resource = "CreditNotes"
    credit_note_id: str = Field(alias="CreditNoteID")
    credit_note_number: str = ""
    type: str
    status: str
    contact: ContactRef
    date: Day
    reference: str = ""
    line_amount_types: str = "Exclusive"
    line_items: list[LineItem] = []
    total: Decimal = ZERO
    remaining_credit: Decimal = ZERO
    allocations: list[Allocation] = []

    @property
    def record_id(self) -> str:
        return self.credit_note_id


class Organisation(XeroModel):
    organisation_id: str = Field(alias="OrganisationID")
    name: str
    base_currency: str = ""
    period_lock_date: Day | None = None
    end_of_year_lock_date: Day | None = None

    def locked_through(self) -> date | None:
        """The last day nothing may be written on: roofops never posts as an adviser, so the
        period lock binds it as well as the end-of-year lock."""
        locks = [day for day in (self.period_lock_date, self.end_of_year_lock_date) if day]
        return max(locks) if locks else None


class Account(XeroModel):
    """A chart-of-accounts entry: bill lines name theirs by ``Code``."""

    account_id: str = Field(alias="AccountID")
    code: str = ""
    name: str
    type: str = ""
    status: str = "ACTIVE"


class TrackingOption(XeroModel):
    tracking_option_id: str = Field(alias="TrackingOptionID")
    name: str
    status: str = "ACTIVE"


class TrackingCategory(XeroModel):
    tracking_category_id: str = Field(alias="TrackingCategoryID")
    name: str
    status: str = "ACTIVE"
    options: list[TrackingOption] = []


RecordT = TypeVar("RecordT", bound=XeroRecord)


@dataclass
class Page(Generic[RecordT]):
    """One page as read: the records and Xero's ``pagination`` (item count over all pages)."""

    records: list[RecordT] = field(default_factory=list)
    page: int = 1
    page_count: int = 0
    item_count: int = 0


# ----- writes --------------------------------------------------------------------------------
class Draft(BaseModel):
    """What we send: PascalCase on the wire, nothing unset."""

    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, frozen=True)

    def to_xero(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class TrackingDraft(Draft):
    name: str
    option: str


class LineDraft(Draft):
    description: str
    quantity: WireAmount = Decimal(1)
    unit_amount: WireAmount
    account_code: str | None = None
    tax_type: str | None = None
    tracking: list[TrackingDraft] | None = None


class ContactId(Draft):
    contact_id: str = Field(alias="ContactID")


class InvoiceDraft(Draft):
    """A receivable invoice; its number is the job's (``5003``, ``5003-2``)."""

    type: Literal["ACCREC"] = "ACCREC"
    contact: ContactId
    invoice_number: str
    date: WireDay
    due_date: WireDay | None = None
    reference: str | None = None
    status: Literal["DRAFT", "SUBMITTED", "AUTHORISED"] = "AUTHORISED"
    line_amount_types: Literal["Exclusive", "Inclusive", "NoTax"] = "NoTax"
    line_items: list[LineDraft]


class ContactDraft(Draft):
    name: str
    first_name: str | None = None
    last_name: str | None = None
    email_address: str | None = None


class InvoiceId(Draft):
    invoice_id: str = Field(alias="InvoiceID")


class AccountCode(Draft):
    code: str


class PaymentDraft(Draft):
    invoice: InvoiceId
    account: AccountCode
    date: WireDay
    amount: WireAmount
    reference: str | None = None
