"""What a sync changed on a job, in words the feed can show to everyone who sees the job.

The feed is VIEW_JOBS, and money is VIEW_MONEY: a money field is named ("contract amount
changed"), never given. Ids (customer, property, branch) are named too: their values mean
nothing to a reader. Bookkeeping columns (a figure's source) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Field -> what a person calls it. Values are shown for these.
SHOWN = {
    "number": "job number",
    "name": "name",
    "sales_rep": "sales rep",
    "job_type": "job type",
    "material": "material",
    "squares": "squares",
    "pitch": "pitch",
    "priority": "priority",
    "payer": "payer",
    "insurance_carrier": "insurance carrier",
    "claim_number": "claim number",
}
# Named, without values: money (view_money only), ids, long text.
NAMED = {
    "contract_cents": "contract amount",
    "rcv_cents": "RCV",
    "acv_cents": "ACV",
    "deductible_cents": "deductible",
    "depreciation_held_cents": "depreciation held",
    "customer_id": "customer",
    "property_id": "address",
    "branch_id": "branch",
    "crew_id": "crew",
    "description": "description",
}
# The books' figures of a job (financials: costs to date by category, what was invoiced).
BOOKS_LABELS = {
    "contract": "contract amount",
    "materials": "materials cost",
    "labor": "labor cost",
    "subcontractor": "subcontractor cost",
    "permits": "permits cost",
    "disposal": "disposal cost",
    "other": "other cost",
    "invoiced": "amount invoiced",
    "paid": "amount paid",
}
CHOICES = frozenset({"job_type", "material", "priority", "payer"})  # stored as snake_case values
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str | None  # None: not shown (money, ids, long text)
    new: str | None

    def words(self) -> str:
        if self.old is None or self.new is None:
            return f"{self.label} changed"
        return f"{self.label} {self.old} → {self.new}"

    def as_data(self) -> dict[str, Any]:
        shown = {"old": self.old, "new": self.new} if self.old is not None else {}
        money = self.field.endswith("_cents")
        return {"field": self.field, "label": self.label, "money": money} | shown

    @classmethod
    def from_data(cls, item: Mapping[str, Any]) -> FieldChange:
        return cls(item["field"], item["label"], item.get("old"), item.get("new"))


def field_changes(changes: Mapping[str, Mapping[str, Any]]) -> list[FieldChange]:
    """The changes a person would care about, in a fixed order (shown first, then named)."""
    found: list[FieldChange] = []
    for field, label in SHOWN.items():
        if field in changes:
            old, new = changes[field].get("old"), changes[field].get("new")
            found.append(FieldChange(field, label, _text(field, old), _text(field, new)))
    found += [_named(field, label) for field, label in NAMED.items() if field in changes]
    if "archived_at" in changes:
        archived = changes["archived_at"].get("new") is not None
        found.append(_named("archived_at", "archived" if archived else "restored"))
    return found


def books_changes(figures: list[str]) -> list[FieldChange]:
    """The books' figures of a job that moved (costs by category, invoiced, paid): all money,
    so named only."""
    return [_named(f"{name}_cents", BOOKS_LABELS.get(name, name)) for name in figures]


def _named(field: str, label: str) -> FieldChange:
    return FieldChange(field, label, None, None)


def sentence(source: str, changes: list[FieldChange]) -> str:
    """'JobNimbus changed squares 20 → 24 and contract amount changed.'"""
    parts = [
        change.words() if change.field != "archived_at" else f"{change.label} the job"
        for change in changes
    ]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"{source} sync: {listed}."


def merge(earlier: list[FieldChange], later: list[FieldChange]) -> list[FieldChange]:
    """One run's changes to a job as one list: a field changed twice keeps its first old."""
    by_field = {change.field: change for change in earlier}
    for change in later:
        first = by_field.get(change.field)
        keep_old = first is not None and first.old is not None and change.old is not None
        old = first.old if keep_old and first is not None else change.old
        by_field[change.field] = FieldChange(change.field, change.label, old, change.new)
    return list(by_field.values())


def _text(field: str, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    text = str(value)
    return text.replace("_", " ") if field in CHOICES else text
