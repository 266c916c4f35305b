"""The fake's in-memory books: one :class:`Books` per realm, driven by an injectable clock.

Stored rows are the JSON QuickBooks would send (money as ``Decimal``) and are never changed in
place: an update stores a new dict, so a row already handed to a response cannot shift under it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from roofops.kit.time import utcnow
from roofops.sandbox.clock import Clock

# Re-exported: the benchmark builds the fake's clock from here.
from roofops.sandbox.clock import FakeClock as FakeClock  # noqa: PLC0414
from roofops.sandbox.quickbooks import errors

Entity = dict[str, Any]

COMPANY_ZONE = ZoneInfo("America/Denver")
ENTITIES = (
    "Account",
    "Bill",
    "Class",
    "Customer",
    "Employee",
    "Invoice",
    "Item",
    "Payment",
    "Purchase",
    "TimeActivity",
    "Vendor",
)
URL_NAMES = {name.lower(): name for name in ENTITIES}
# Lists QuickBooks never deletes, only makes inactive (Active: false); see query.py.
NAME_LISTS = frozenset({"Account", "Class", "Customer", "Employee", "Item", "Vendor"})
ZERO = Decimal("0.00")
# Totals are derived from these lines; subtotal lines only repeat them.
NON_TOTAL_LINES = frozenset({"SubTotalLineDetail", "DescriptionOnly"})
_SERIALS = itertools.count(1)


def qbo_time(moment: datetime, zone: ZoneInfo = COMPANY_ZONE) -> str:
    """QuickBooks stamps in the company's zone with an offset, to the second."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def parse_time(text: str, zone: ZoneInfo = COMPANY_ZONE) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


@dataclass(frozen=True)
class Change:
    """One write, kept for webhook delivery."""

    entity: str
    entity_id: str
    operation: str
    at: datetime


class Books:
    """One company's entities by type and Id, with tombstones for CDC."""

    def __init__(self, clock: Clock = utcnow, zone: ZoneInfo = COMPANY_ZONE) -> None:
        self.clock = clock
        self.zone = zone
        # Identifies these books in caches for good (id() of a freed object is reused).
        self.serial = next(_SERIALS)
        self.lock = threading.RLock()
        self.changes: list[Change] = []
        self.version = 0
        self._rows: dict[str, dict[str, Entity]] = {name: {} for name in ENTITIES}
        self._updated: dict[str, dict[str, datetime]] = {name: {} for name in ENTITIES}
        self._deleted: dict[str, dict[str, datetime]] = {name: {} for name in ENTITIES}
        self._applied: dict[str, dict[str, Decimal]] = {}
        self._voided: set[str] = set()
        self._next_id = 1
        # Preferences > AccountingInfoPrefs.BookCloseDate: nothing dated on or before it is
        # written (the fake plays a company whose closing date has no override password).
        self.book_close_date: date | None = None

    def get(self, entity: str, entity_id: str) -> Entity | None:
        return self._rows[entity].get(entity_id)

    def rows(self, entity: str) -> list[Entity]:
        with self.lock:
            return list(self._rows[entity].values())

    def updated_at(self, entity: str, entity_id: str) -> datetime:
        return self._updated[entity][entity_id]

    def deleted(self, entity: str) -> dict[str, datetime]:
        with self.lock:
            return dict(self._deleted[entity])

    def count(self, entity: str) -> int:
        return len(self._rows[entity])

    def is_voided(self, invoice_id: str) -> bool:
        return invoice_id in self._voided

    def add(self, entity: str, body: Entity, *, at: datetime | None = None) -> Entity:
        """Create with a new Id, SyncToken "0" and MetaData stamped ``at`` (default: now)."""
        with self.lock:
            moment = at or self.clock()
            entity_id = str(self._next_id)
            self._next_id += 1
            stamp = qbo_time(moment, self.zone)
            active = {"Active": True} if entity in NAME_LISTS else {}
            row = {**active, **body, "Id": entity_id, "SyncToken": "0"}
            row["MetaData"] = {"CreateTime": stamp, "LastUpdatedTime": stamp}
            self._store(entity, _derived(entity, row), moment, "Create")
            if entity == "Payment":
                self._apply_payment(row, moment)
            return self._rows[entity][entity_id]

    def replace(
        self,
        entity: str,
        entity_id: str,
        fields: Entity,
        *,
        sync_token: str | None = None,
        sparse: bool = True,
        at: datetime | None = None,
    ) -> Entity:
        """Update: ``sparse`` changes only ``fields``; a full update drops every field left out.

        ``sync_token`` None skips the optimistic check (the fake's own edits); a stale one
        fails with 5010 as QuickBooks does.
        """
        with self.lock:
            current = self._current(entity, entity_id, sync_token)
            kept = current if sparse else {"MetaData": current["MetaData"]}
            row = {**kept, **_writable(fields), "Id": entity_id}
            return self._bump(entity, row, current, at or self.clock(), "Update")

    def delete(
        self,
        entity: str,
        entity_id: str,
        *,
        sync_token: str | None = None,
        at: datetime | None = None,
    ) -> Entity:
        with self.lock:
            current = self._current(entity, entity_id, sync_token)
            moment = at or self.clock()
            del self._rows[entity][entity_id]
            del self._updated[entity][entity_id]
            self._deleted[entity][entity_id] = moment
            if entity == "Payment":
                self._unapply_payment(entity_id, moment)
            self._record(entity, entity_id, "Delete", moment)
            return {"Id": entity_id, "status": "Deleted", "domain": "QBO", **_meta(current)}

    def void_invoice(
        self, invoice_id: str, *, sync_token: str | None = None, at: datetime | None = None
    ) -> Entity:
        """Amounts become zero and "Voided" is prefixed to PrivateNote, as in QuickBooks."""
        with self.lock:
            current = self._current("Invoice", invoice_id, sync_token)
            if self._applied.get(invoice_id):
                raise errors.business_rule("An invoice with an applied payment cannot be voided")
            note = current.get("PrivateNote", "")
            lines = [{**line, "Amount": ZERO} for line in current.get("Line", [])]
            row = {**current, "Line": lines, "PrivateNote": f"Voided - {note}".rstrip(" -")}
            self._voided.add(invoice_id)
            return self._bump("Invoice", row, current, at or self.clock(), "Void")

    def _current(self, entity: str, entity_id: str, sync_token: str | None) -> Entity:
        current = self._rows[entity].get(entity_id)
        if current is None:
            raise errors.not_found(entity, entity_id)
        if sync_token is not None and sync_token != current["SyncToken"]:
            raise errors.stale_object(entity, entity_id)
        return current

    def _bump(
        self, entity: str, row: Entity, current: Entity, moment: datetime, operation: str
    ) -> Entity:
        row["SyncToken"] = str(int(current["SyncToken"]) + 1)
        created = current["MetaData"]["CreateTime"]
        row["MetaData"] = {"CreateTime": created, "LastUpdatedTime": qbo_time(moment, self.zone)}
        self._store(entity, _derived(entity, row, self._applied), moment, operation)
        return row

    def _store(self, entity: str, row: Entity, moment: datetime, operation: str) -> None:
        self._rows[entity][row["Id"]] = row
        # Parsed once here so LastUpdatedTime filters and CDC compare datetimes cheaply.
        self._updated[entity][row["Id"]] = moment.replace(microsecond=0)
        self._record(entity, row["Id"], operation, moment)

    def _record(self, entity: str, entity_id: str, operation: str, moment: datetime) -> None:
        self.changes.append(Change(entity, entity_id, operation, moment))
        self.version += 1

    def _apply_payment(self, payment: Entity, moment: datetime) -> None:
        for invoice_id, amount in _linked_invoices(payment):
            self._applied.setdefault(invoice_id, {})[payment["Id"]] = amount
            self._refresh_invoice(invoice_id, moment)

    def _unapply_payment(self, payment_id: str, moment: datetime) -> None:
        for invoice_id, applied in self._applied.items():
            if applied.pop(payment_id, None) is not None:
                self._refresh_invoice(invoice_id, moment)

    def _refresh_invoice(self, invoice_id: str, moment: datetime) -> None:
        """A payment changes the invoice's Balance and LinkedTxn, so it bumps the invoice too."""
        current = self._rows["Invoice"].get(invoice_id)
        if current is None:
            return
        links = [{"TxnId": pid, "TxnType": "Payment"} for pid in self._applied[invoice_id]]
        self._bump("Invoice", {**current, "LinkedTxn": links}, current, moment, "Update")


def _writable(fields: Entity) -> Entity:
    return {k: v for k, v in fields.items() if k not in ("Id", "SyncToken", "MetaData", "sparse")}


def _meta(row: Entity) -> Entity:
    return {"MetaData": row["MetaData"]}


def _linked_invoices(payment: Entity) -> Iterable[tuple[str, Decimal]]:
    for line in payment.get("Line", []):
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") == "Invoice":
                yield str(link["TxnId"]), _amount(line.get("Amount", 0))


def _amount(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _line_total(row: Entity) -> Decimal:
    total = ZERO
    for line in row.get("Line", []):
        if line.get("DetailType") not in NON_TOTAL_LINES:
            total += _amount(line.get("Amount", 0))
    return total


def _derived(
    entity: str, row: Entity, applied: dict[str, dict[str, Decimal]] | None = None
) -> Entity:
    """Totals QuickBooks computes itself: TotalAmt from lines, Invoice Balance from payments."""
    if entity in ("Invoice", "Bill", "Purchase"):
        row["TotalAmt"] = _line_total(row)
    if entity == "Invoice":
        paid = sum((applied or {}).get(row["Id"], {}).values(), ZERO)
        row["Balance"] = row["TotalAmt"] - paid
    if entity == "Bill":
        row["Balance"] = min(_amount(row.get("Balance", row["TotalAmt"])), row["TotalAmt"])
    return row
