"""What the operations dashboard shows: one snapshot of today, read fresh on every request (the
page re-reads its fragments when a live event says something moved)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from roofops.field.results import CrewDayState
from roofops.kit.types import StrEnum
from roofops.models.enums import JobStage, Priority


class AlertKind(StrEnum):
    WEATHER = "weather"  # today's or tomorrow's scheduled work on a day the weather rules stop
    LATE = "late"  # an open job past its planned end, promised date or forecast p90 finish
    UNASSIGNED = "unassigned"  # urgent work with no crew and nothing scheduled
    SYNC_FAILED = "sync_failed"  # a connection's last sync run failed (view_integrations only)
    OVERDUE_INVOICE = "overdue_invoice"  # invoices past their due date with a balance


class Severity(StrEnum):
    CRITICAL = "critical"  # act today
    WARNING = "warning"  # act soon
    INFO = "info"


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    severity: Severity
    title: str  # "Rain 80 % at J-1042 tomorrow"
    detail: str  # why the rule fired, in a sentence
    link: str  # where to act: the job, the dispatch board, the integration, the invoices
    job_id: uuid.UUID | None = None
    amount_cents: int | None = None  # overdue invoices only, and only for view_money


@dataclass(frozen=True)
class ProductionJob:
    """A job in production, or scheduled to be worked today."""

    job_id: uuid.UUID
    number: str
    name: str
    stage: JobStage
    priority: Priority
    crew_names: tuple[str, ...]  # the crews on it today (empty: nobody today)
    planned_end: date | None  # the last scheduled work day in the published plan
    since: datetime  # when it entered its current stage
    branch_id: uuid.UUID | None


@dataclass(frozen=True)
class MapPoint:
    """A marker on the map of today's work: a job site, or a branch yard."""

    kind: str  # "job" or "yard"
    label: str
    latitude: float
    longitude: float
    link: str
    state: str = ""  # a job's crew state (scheduled, on_site, ...); "" for yards
    colour: str = ""  # the crew's colour (CSS), "" when no crew is on it
    crew_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertCounts:
    critical: int
    warning: int
    info: int


@dataclass(frozen=True)
class OperationsSnapshot:
    day: date
    branch_id: uuid.UUID | None
    generated_at: datetime
    crews: tuple[CrewDayState, ...]
    jobs: tuple[ProductionJob, ...]
    alerts: tuple[Alert, ...]  # most severe first
    map_points: tuple[MapPoint, ...]
    with_money: bool  # the viewer may see money (overdue amounts)

    @property
    def alert_counts(self) -> AlertCounts:
        count = dict.fromkeys(Severity, 0)
        for alert in self.alerts:
            count[alert.severity] += 1
        return AlertCounts(count[Severity.CRITICAL], count[Severity.WARNING], count[Severity.INFO])
