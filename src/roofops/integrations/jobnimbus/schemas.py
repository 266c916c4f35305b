"""Pydantic models of JobNimbus api1 records, with the vendor's own field names.

Timestamps arrive as Unix epoch seconds and are exposed as aware UTC datetimes; an unset optional
date is sent as ``0`` and becomes ``None``. Account-defined custom fields arrive as extra top-level
keys (their exact naming is unconfirmed; our fake uses the field's title) and are kept in
:attr:`JobNimbusRecord.extra`.

Status changes. JobNimbus logs each job status change as an *activity* in ``GET /activities``
(list key ``activity``). The public docs show no schema for it; we represent it as community
clients observe it and as our fake serves it:

``record_type_name``  ``"Status Change"`` (and ``is_status_change: true``)
``note``              ``"Status changed from <old> to <new>"``, or ``"Status set to <new>"`` for
                      the status a job was created with
``primary``           ``{"id": <job jnid>, "type": "job", "number", "name", "new_status": <id>}``
``date_created``      when the status changed (epoch seconds)

:meth:`Activity.status_change` turns one into a :class:`StatusChange`. Given the account's status
names by id, the new status is read from ``primary.new_status``; otherwise from the note text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

STATUS_CHANGE_TYPE = "Status Change"


def _epoch_to_utc(value: Any) -> datetime:
    # bool is an int subclass; pydantic would also read big numbers as milliseconds: be strict.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected epoch seconds as a number")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError("epoch seconds out of range") from exc


def _optional_epoch(value: Any) -> datetime | None:
    return None if value is None or value == 0 else _epoch_to_utc(value)


EpochTime = Annotated[datetime, BeforeValidator(_epoch_to_utc)]
OptionalEpochTime = Annotated[datetime | None, BeforeValidator(_optional_epoch)]


class JobNimbusModel(BaseModel):
    # Vendors add fields without notice: keep them rather than fail.
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


class Geo(JobNimbusModel):
    lat: float
    lon: float


class Ref(JobNimbusModel):
    """A link to another record (``primary``, ``related[]``, ``owners[]``)."""

    id: str
    type: str | None = None
    name: str | None = None
    number: str | None = None
    new_status: int | None = None


class JobNimbusRecord(JobNimbusModel):
    jnid: str = Field(min_length=1)
    type: str | None = None
    recid: int | None = None
    customer: str | None = None
    date_created: EpochTime
    date_updated: EpochTime
    created_by: str | None = None
    created_by_name: str | None = None
    is_active: bool = True
    is_archived: bool = False
    primary: Ref | None = None
    related: list[Ref] = Field(default_factory=list)
    owners: list[Ref] = Field(default_factory=list)

    @property
    def extra(self) -> dict[str, Any]:
        """Fields we do not model, custom fields among them."""
        return dict(self.model_extra or {})


class AddressFields(JobNimbusModel):
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state_text: str | None = None
    zip: str | None = None
    country_name: str | None = None
    geo: Geo | None = None


class Contact(JobNimbusRecord, AddressFields):
    number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    display_name: str | None = None
    company: str | None = None
    email: str | None = None
    home_phone: str | None = None
    mobile_phone: str | None = None
    work_phone: str | None = None
    record_type_name: str | None = None
    status_name: str | None = None
    sales_rep: str | None = None
    sales_rep_name: str | None = None


class Job(JobNimbusRecord, AddressFields):
    number: str | None = None
    name: str | None = None
    description: str | None = None
    record_type: int | None = None
    record_type_name: str | None = None
    status: int | None = None
    status_name: str | None = None
    date_status_change: OptionalEpochTime = None
    source_name: str | None = None
    sales_rep: str | None = None
    sales_rep_name: str | None = None
    date_start: OptionalEpochTime = None
    date_end: OptionalEpochTime = None


class Task(JobNimbusRecord):
    title: str | None = None
    description: str | None = None
    record_type_name: str | None = None
    priority: int | None = None
    is_completed: bool = False
    date_start: OptionalEpochTime = None
    date_end: OptionalEpochTime = None


@dataclass(frozen=True)
class StatusChange:
    job_jnid: str
    from_status: str | None
    to_status: str
    occurred_at: datetime


_CHANGED = re.compile(r"^\s*status changed from (?P<body>.+?)\s*$", re.IGNORECASE)
_SET = re.compile(r"^\s*status set to (?P<to>.+?)\s*$", re.IGNORECASE)


class Activity(JobNimbusRecord):
    note: str | None = None
    record_type_name: str | None = None
    is_status_change: bool = False
    is_editable: bool = True

    def status_change(self, status_names: Mapping[int, str] | None = None) -> StatusChange | None:
        """The job status change this activity logs, or ``None`` for any other activity.

        ``status_names`` (status id -> name, from :meth:`AccountSettings.status_names`) makes
        the parse exact even when a status name itself contains " to ".
        """
        if not self._logs_status_change() or not self._about_a_job():
            return None
        statuses = _statuses_from_note(self.note or "", self._known_new_status(status_names))
        if statuses is None or self.primary is None:
            return None
        from_status, to_status = statuses
        return StatusChange(self.primary.id, from_status, to_status, self.date_created)

    def _logs_status_change(self) -> bool:
        kind = (self.record_type_name or "").casefold()
        return self.is_status_change or kind == STATUS_CHANGE_TYPE.casefold()

    def _about_a_job(self) -> bool:
        """Contacts have workflows too: their status changes are logged the same way."""
        return self.primary is not None and (self.primary.type or "job").casefold() == "job"

    def _known_new_status(self, status_names: Mapping[int, str] | None) -> str | None:
        if status_names is None or self.primary is None or self.primary.new_status is None:
            return None
        return status_names.get(self.primary.new_status)


def _statuses_from_note(note: str, known_to: str | None) -> tuple[str | None, str] | None:
    if initial := _SET.match(note):
        return None, known_to or initial["to"]
    changed = _CHANGED.match(note)
    if changed is None:
        return None
    body = changed["body"]
    if known_to and body.endswith(f" to {known_to}"):
        return body.removesuffix(f" to {known_to}"), known_to
    if " to " not in body:
        return None
    from_status, to_status = body.rsplit(" to ", 1)
    return from_status, to_status


class WorkflowStatus(JobNimbusModel):
    id: int
    name: str
    order: int = 0
    is_lead: bool = False
    is_closed: bool = False
    is_active: bool = True
    is_archived: bool = False


class Workflow(JobNimbusModel):
    id: int
    name: str
    object_type: str
    order: int = 0
    is_active: bool = True
    status: list[WorkflowStatus] = Field(default_factory=list)


class AccountSettings(JobNimbusModel):
    workflows: list[Workflow] = Field(default_factory=list)

    def job_workflows(self) -> list[Workflow]:
        return [workflow for workflow in self.workflows if workflow.object_type == "job"]

    def status_names(self) -> dict[int, str]:
        """Status id -> name across job workflows (ids are unique per account)."""
        return {
            status.id: status.name
            for workflow in self.job_workflows()
            for status in workflow.status
        }


RecordT = TypeVar("RecordT", bound=JobNimbusRecord)


class Reject(NamedTuple):
    """A record that failed validation: its jnid if it had one, else its position in the list."""

    record: str | int
    error: str


@dataclass(frozen=True)
class Page(Generic[RecordT]):
    """One list response: ``count`` is the total number of matches, not the page length."""

    count: int
    results: list[RecordT]
    rejects: list[Reject]
    from_: int = 0

    @property
    def received(self) -> int:
        return len(self.results) + len(self.rejects)

    @property
    def whole_list(self) -> bool:
        """The first page already holds every match."""
        return self.from_ == 0 and self.received >= self.count

    @property
    def newest_update(self) -> datetime | None:
        return max((record.date_updated for record in self.results), default=None)
