"""What the performance service returns: the pages, the API and the drill-downs read these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from roofops.kit.types import StrEnum
from roofops.models.enums import JobStage


class Figure(StrEnum):
    """A figure on the performance pages that can be drilled into (its jobs listed)."""

    CREW_SQUARES = "crew_squares"  # squares per crew-day
    CREW_ON_TIME_START = "crew_on_time_start"
    CREW_ON_TIME_FINISH = "crew_on_time_finish"
    CREW_CALLBACKS = "crew_callbacks"
    CREW_MARGIN = "crew_margin"
    REP_LEADS = "rep_leads"
    REP_CLOSE_RATE = "rep_close_rate"  # won and lost jobs
    REP_AVERAGE_CONTRACT = "rep_average_contract"
    REP_MARGIN = "rep_margin"
    REP_DAYS_TO_CONTRACT = "rep_days_to_contract"
    STAGE_CYCLE_TIME = "stage_cycle_time"
    BACKLOG = "backlog"


@dataclass(frozen=True)
class Margin:
    """Gross margin over final jobs only (paid, or invoiced with costs settled): never open ones."""

    value: float | None  # 0..1, None when no job is final yet
    revenue_cents: int
    profit_cents: int
    final_jobs: int
    open_jobs: int  # jobs in scope whose margin is not final yet, left out
    source_shares: dict[str, float] = field(default_factory=dict)  # by revenue's figure source


@dataclass(frozen=True)
class CrewPerformance:
    crew_id: uuid.UUID
    crew_name: str
    completed_jobs: int
    squares: float  # of completed jobs with squares and crew-days
    crew_days: int
    squares_per_crew_day: float | None
    starts_measured: int
    on_time_starts: int
    on_time_start_rate: float | None
    finishes_measured: int
    on_time_finishes: int
    on_time_finish_rate: float | None
    callbacks: int  # completed jobs followed by a repair on the same property within the window
    callback_rate: float | None
    callback_window_open: int  # completed jobs whose callback window has not closed yet
    margin: Margin | None  # None without view_money


@dataclass(frozen=True)
class RepPerformance:
    sales_rep: str
    leads: int
    won: int
    lost: int
    close_rate: float | None
    average_contract_cents: int | None  # None without view_money or without a won contract
    margin: Margin | None  # None without view_money
    median_days_to_contract: float | None


@dataclass(frozen=True)
class StageCycleTime:
    stage: JobStage
    visits: int
    median_days: float | None
    p80_days: float | None


@dataclass(frozen=True)
class Backlog:
    as_of: date
    jobs: int
    crew_days: float
    from_requirements: int  # jobs whose crew-days are the planned production days
    from_squares: int  # jobs whose crew-days are squares / crew capacity
    unsized: int  # jobs with neither: counted as jobs, not in crew-days
    contract_cents: int | None  # None without view_money
    source_shares: dict[str, float] = field(default_factory=dict)


class ColumnKind(StrEnum):
    """How a drill-down value reads: pages format by it, the API sends the raw value."""

    TEXT = "text"
    DATE = "date"  # ISO date
    NUMBER = "number"
    DAYS = "days"
    CENTS = "cents"
    PERCENT = "percent"  # a share 0..1
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind


DrillValue = str | int | float | bool | None


@dataclass(frozen=True)
class DrillRow:
    job_id: uuid.UUID
    number: str
    name: str
    values: dict[str, DrillValue]  # column key -> the value the figure used


@dataclass(frozen=True)
class DrillDown:
    figure: Figure
    title: str  # "Squares per crew-day: Crew Alpha, 2026-11-01 to 2026-11-30"
    columns: tuple[Column, ...]
    rows: tuple[DrillRow, ...]
