"""JSON shapes of the dispatch API: the board, plans and their difference, moves, locks,
events, job requirements, holidays and time off."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roofops.dispatch.board import Board
from roofops.dispatch.diff import PlanDiff
from roofops.kit.schemas import Flag, IsoDate, OrmModel, PatchModel, WholeNumber, text
from roofops.models.dispatch import (
    DispatchEventKind,
    DispatchPlan,
    Phase,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
    TimeOffKind,
)
from roofops.models.enums import Priority

Minute = Annotated[WholeNumber, Field(ge=0, le=24 * 60, description="minutes after midnight")]
Note = Annotated[str, text(0, 2000)]
HorizonDays = Annotated[WholeNumber, Field(ge=1, le=120, description="calendar days")]
TimeLimit = Annotated[float, Field(gt=0, le=600, description="seconds the optimizer may search")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----- requests ------------------------------------------------------------------------------
class MoveIn(Body):
    job_id: uuid.UUID
    phase: Phase = Phase.INSTALL
    crew_id: uuid.UUID
    start_on: IsoDate


class LockIn(Body):
    """Pin a job's first phase to a crew, a start day or both."""

    crew_id: uuid.UUID | None = None
    start_on: IsoDate | None = None

    @model_validator(mode="after")
    def _pins_something(self) -> LockIn:
        if self.crew_id is None and self.start_on is None:
            raise ValueError("a lock pins a crew, a start day or both")
        return self


class EventIn(Body):
    """What happened. crew_out: crew_id, starts_on, and ends_on or days; overrun: job_id and
    days (extra working days); late_materials: job_id and starts_on (the new delivery day);
    weather: the days (the forecast is read again); urgent_job: job_id."""

    kind: DispatchEventKind
    crew_id: uuid.UUID | None = None
    job_id: uuid.UUID | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    days: Annotated[WholeNumber, Field(ge=0, le=60)] = 0
    note: Note = ""

    @model_validator(mode="after")
    def _ordered(self) -> EventIn:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class OptimizeIn(Body):
    start: IsoDate | None = Field(default=None, description="first day; default today")
    days: HorizonDays | None = Field(default=None, description="default from the settings")
    time_limit: TimeLimit | None = None


class ReplanIn(Body):
    event_id: uuid.UUID


class RequirementsUpdate(PatchModel):
    nullable = frozenset(
        {
            "materials_ready_on",
            "permit_ready_on",
            "promised_by",
            "production_days",
            "window_start_minute",
            "window_end_minute",
        }
    )

    materials_ready_on: IsoDate | None = None
    permit_ready_on: IsoDate | None = None
    promised_by: IsoDate | None = None
    with_gutters: Flag | None = None
    production_days: Annotated[WholeNumber, Field(ge=1, le=60)] | None = None
    visit_minutes: Annotated[WholeNumber, Field(ge=5, le=12 * 60)] | None = None
    window_start_minute: Minute | None = None
    window_end_minute: Minute | None = None


class HolidayIn(Body):
    on: IsoDate
    name: Annotated[str, text(1, 120)]


class TimeOffIn(Body):
    crew_id: uuid.UUID
    starts_on: IsoDate
    ends_on: IsoDate
    kind: TimeOffKind = TimeOffKind.TIME_OFF
    note: Note = ""

    @model_validator(mode="after")
    def _ordered(self) -> TimeOffIn:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


# ----- responses -----------------------------------------------------------------------------
class RequirementsOut(OrmModel):
    job_id: uuid.UUID
    materials_ready_on: date | None
    permit_ready_on: date | None
    promised_by: date | None
    with_gutters: bool
    production_days: int | None
    visit_minutes: int
    window_start_minute: int | None
    window_end_minute: int | None
    locked_crew_id: uuid.UUID | None
    locked_start_on: date | None


class PlanOut(OrmModel):
    id: uuid.UUID
    kind: PlanKind
    status: PlanStatus
    horizon_start: date
    horizon_end: date
    route_date: date | None
    trigger: str
    solver: str
    note: str
    objective: float | None
    bound: float | None
    gap_pct: float | None
    solve_seconds: float | None
    breakdown: dict[str, int]
    based_on_id: uuid.UUID | None
    created_at: datetime
    published_at: datetime | None


class EntryOut(OrmModel):
    job_id: uuid.UUID
    phase: Phase
    crew_id: uuid.UUID | None
    starts_on: date | None
    ends_on: date | None
    work_days: list[date]
    locked: bool
    in_progress: bool
    reason: str


class PlanDetailOut(PlanOut):
    entries: list[EntryOut]

    @classmethod
    def of(cls, plan: DispatchPlan, entries: Sequence[ScheduleEntry]) -> PlanDetailOut:
        detail = PlanOut.model_validate(plan).model_dump()
        return cls.model_validate(
            {**detail, "entries": [EntryOut.model_validate(e) for e in entries]}
        )


class SlotOut(OrmModel):
    crew_id: uuid.UUID
    crew_name: str
    starts_on: date
    ends_on: date


class ChangeOut(OrmModel):
    kind: str
    job_id: uuid.UUID
    job_number: str
    job_name: str
    phase: Phase
    before: SlotOut | None
    after: SlotOut | None
    why: str


class DiffOut(OrmModel):
    plan_id: uuid.UUID
    based_on_id: uuid.UUID | None
    moved_jobs: int
    changes: list[ChangeOut]

    @classmethod
    def of(cls, diff: PlanDiff) -> DiffOut:
        return cls.model_validate(diff)


class MoveOut(BaseModel):
    refused: bool
    reasons: list[str]
    plan_id: uuid.UUID | None


class RunOut(BaseModel):
    run_id: str
    topic: str = "dispatch.progress"


class EventOut(OrmModel):
    id: uuid.UUID
    kind: DispatchEventKind
    crew_id: uuid.UUID | None
    job_id: uuid.UUID | None
    starts_on: date | None
    ends_on: date | None
    days: int
    note: str
    plan_id: uuid.UUID | None
    created_at: datetime


class HolidayOut(OrmModel):
    id: uuid.UUID
    on: date
    name: str


class TimeOffOut(OrmModel):
    id: uuid.UUID
    crew_id: uuid.UUID
    starts_on: date
    ends_on: date
    kind: TimeOffKind
    note: str


class BoardCrewOut(OrmModel):
    id: uuid.UUID
    name: str
    color: str
    branch_id: uuid.UUID
    skills: list[str]
    working_weekdays: str
    squares_per_day: int


class PlanSummaryOut(OrmModel):
    id: uuid.UUID
    status: PlanStatus
    trigger: str
    solver: str
    note: str
    horizon_start: date
    horizon_end: date
    objective: float | None
    bound: float | None
    gap_pct: float | None
    solve_seconds: float | None
    created_at: datetime
    published_at: datetime | None


class BoardEntryOut(OrmModel):
    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    phase: Phase
    crew_id: uuid.UUID | None
    starts_on: date | None
    ends_on: date | None
    work_days: list[date]
    locked: bool
    in_progress: bool
    reason: str
    priority: Priority
    promised_by: date | None


class QueueItemOut(OrmModel):
    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    phase: Phase
    skill: str
    reason: str
    priority: Priority
    promised_by: date | None


class TimeOffMarkOut(OrmModel):
    crew_id: uuid.UUID
    starts_on: date
    ends_on: date
    kind: TimeOffKind
    note: str


class WeatherMarkOut(OrmModel):
    job_id: uuid.UUID
    phase: Phase
    day: date
    reason: str


class LockMarkOut(OrmModel):
    job_id: uuid.UUID
    job_number: str
    crew_id: uuid.UUID | None
    start_on: date | None


class HolidayMarkOut(BaseModel):
    on: date
    name: str


class BoardOut(BaseModel):
    start: date
    days: list[date]
    working_days: list[date]
    holidays: list[HolidayMarkOut]
    crews: list[BoardCrewOut]
    published: PlanSummaryOut | None
    draft: PlanSummaryOut | None
    published_entries: list[BoardEntryOut]
    draft_entries: list[BoardEntryOut]
    queue: list[QueueItemOut]
    time_off: list[TimeOffMarkOut]
    weather: list[WeatherMarkOut]
    locks: list[LockMarkOut]
    diff: DiffOut | None

    @classmethod
    def of(cls, board: Board) -> BoardOut:
        holidays = [HolidayMarkOut(on=on, name=name) for on, name in sorted(board.holidays.items())]
        fields = {name: getattr(board, name) for name in cls.model_fields if name != "holidays"}
        return cls.model_validate({**fields, "holidays": holidays}, from_attributes=True)
