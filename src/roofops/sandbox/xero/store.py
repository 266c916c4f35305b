"""One Xero organisation's books in memory, driven by an injectable clock.

Rows are the JSON Xero would send (money as ``Decimal``) and are never changed in place: an
update stores a new dict, so a row already handed to a response cannot shift under it. Every
save stamps ``UpdatedDateUTC`` (to the millisecond, as Xero does) and is kept as a change for
webhook delivery.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from roofops.integrations.xero.dates import day_ms_date, ms_date, utc_string
from roofops.sandbox.clock import Clock

Entity = dict[str, Any]
Event = Literal["CREATE", "UPDATE"]

ID_FIELDS = {
    "Contacts": "ContactID",
    "Invoices": "InvoiceID",
    "CreditNotes": "CreditNoteID",
    "Payments": "PaymentID",
}
RESOURCES = tuple(ID_FIELDS)
# Resources whose answers carry the ISO twin of UpdatedDateUTC (spec v16.1.0).
UTC_STRINGS = frozenset({"Invoices", "CreditNotes", "Payments"})
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Change:
    """One save, kept for webhook delivery."""

    resource: str
    record_id: str
    event: Event
    at: datetime


def _accounts() -> list[Entity]:
    def account(code: str, name: str, kind: str, **extra: Any) -> Entity:
        row = {"AccountID": str(uuid.uuid4()), "Code": code, "Name": name, "Type": kind}
        return {**row, "Status": "ACTIVE", **extra}

    return [
        account("090", "Business Bank Account", "BANK", BankAccountType="BANK"),
        account("091", "Undeposited Funds", "CURRLIAB", EnablePaymentsToAccount=True),
        account("200", "Sales", "REVENUE"),
        account("260", "Other Revenue", "REVENUE"),
        account("310", "Cost of Goods Sold", "DIRECTCOSTS"),
    ]


def _option(category_id: str, name: str) -> Entity:
    return {
        "TrackingOptionID": str(uuid.uuid4()),
        "Name": name,
        "Status": "ACTIVE",
        "TrackingCategoryID": category_id,
    }


class Books:
    """One organisation (a Xero tenant): its records by resource and id, lock dates, accounts
    and tracking categories."""

    def __init__(self, tenant_id: str, name: str, clock: Clock) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.clock = clock
        self.lock = threading.RLock()
        self.organisation_id = str(uuid.uuid4())
        self.created_at = clock()
        self.period_lock_date: date | None = None
        self.end_of_year_lock_date: date | None = None
        self.accounts = _accounts()
        self.tracking: list[Entity] = []
        self.changes: list[Change] = []
        self._rows: dict[str, dict[str, Entity]] = {name: {} for name in RESOURCES}
        self._updated: dict[str, dict[str, datetime]] = {name: {} for name in RESOURCES}
        self._numbers: dict[str, int] = {}

    # ----- reading -----------------------------------------------------------------------
    def get(self, resource: str, record_id: str) -> Entity | None:
        return self._rows[resource].get(record_id.lower())

    def rows(self, resource: str) -> list[Entity]:
        """In creation order (dicts keep it; an update keeps its place)."""
        with self.lock:
            return list(self._rows[resource].values())

    def updated_at(self, resource: str, record_id: str) -> datetime:
        return self._updated[resource][record_id.lower()]

    def organisation(self) -> Entity:
        return {
            "OrganisationID": self.organisation_id,
            "APIKey": "",
            "Name": self.name,
            "LegalName": self.name,
            "PaysTax": True,
            "Version": "US",
            "OrganisationType": "COMPANY",
            "BaseCurrency": "USD",
            "CountryCode": "US",
            "IsDemoCompany": False,
            "OrganisationStatus": "ACTIVE",
            "FinancialYearEndDay": 31,
            "FinancialYearEndMonth": 12,
            "SalesTaxBasis": "ACCRUALS",
            "SalesTaxPeriod": "MONTHLY",
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Exclusive",
            "CreatedDateUTC": ms_date(self.created_at),
            "OrganisationEntityType": "COMPANY",
            "Timezone": "USMOUNTAINSTANDARDTIME",
            "ShortCode": f"!{self.tenant_id[:5]}",
            "Edition": "BUSINESS",
            "Class": "PREMIUM",
            "Addresses": [],
            "Phones": [],
            "ExternalLinks": [],
            "PaymentTerms": {},
            **self._lock_dates(),
        }

    def _lock_dates(self) -> Entity:
        dates = {
            "PeriodLockDate": self.period_lock_date,
            "EndOfYearLockDate": self.end_of_year_lock_date,
        }
        return {key: day_ms_date(day) for key, day in dates.items() if day is not None}

    def locked_through(self) -> tuple[date, str] | None:
        """The last locked day and which lock it is; roofops is never an adviser, so the
        period lock binds it as much as the end-of-year one."""
        locks = [
            (day, which)
            for day, which in (
                (self.period_lock_date, "period"),
                (self.end_of_year_lock_date, "end of year"),
            )
            if day is not None
        ]
        return max(locks) if locks else None

    # ----- writing -----------------------------------------------------------------------
    def set_lock_dates(
        self, *, period: date | None = None, end_of_year: date | None = None
    ) -> None:
        self.period_lock_date, self.end_of_year_lock_date = period, end_of_year

    def next_number(self, prefix: str) -> str:
        number = self._numbers.get(prefix, 0) + 1
        self._numbers[prefix] = number
        return f"{prefix}{number:04d}"

    def save(self, resource: str, row: Entity, *, at: datetime | None = None) -> Entity:
        """Store ``row`` under its id, stamped now (or ``at``); a CREATE or an UPDATE."""
        with self.lock:
            moment = (at or self.clock()).astimezone(UTC)
            moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
            record_id = str(row[ID_FIELDS[resource]]).lower()
            event: Event = "UPDATE" if record_id in self._rows[resource] else "CREATE"
            stamped = {**row, "UpdatedDateUTC": ms_date(moment)}
            if resource in UTC_STRINGS:
                stamped["UpdatedDateUTCString"] = utc_string(moment)
            self._rows[resource][record_id] = stamped
            self._updated[resource][record_id] = moment
            self.changes.append(Change(resource, record_id, event, moment))
            return stamped

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a batch that fails leaves the books as they were."""
        with self.lock:
            rows = {name: dict(kept) for name, kept in self._rows.items()}
            updated = {name: dict(kept) for name, kept in self._updated.items()}
            changes, numbers = len(self.changes), dict(self._numbers)
            try:
                yield
            except BaseException:
                self._rows, self._updated, self._numbers = rows, updated, numbers
                del self.changes[changes:]
                raise

    def add_tracking_category(self, name: str, options: list[str]) -> Entity:
        category_id = str(uuid.uuid4())
        category = {
            "TrackingCategoryID": category_id,
            "Name": name,
            "Status": "ACTIVE",
            "Options": [_option(category_id, option) for option in options],
        }
        self.tracking.append(category)
        return category

    def add_tracking_option(self, category_id: str, name: str) -> Entity:
        """A new option of a category; ``KeyError`` when there is no such category."""
        with self.lock:
            category = next(c for c in self.tracking if c["TrackingCategoryID"] == category_id)
            option = _option(category_id, name)
            category["Options"].append(option)
            return option
