"""Dispatching: what a job needs before it can be scheduled, when crews cannot work, the plans
the optimizer and the dispatcher make (production schedules and daily routes), the events that
trigger a re-plan, crews' acknowledgements and the weather forecast per grid cell.

The crews' working days and hours live on `crews` (models/crew.py). The contract between the
dispatch helpers: docs/dispatch.md.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import StrEnum, UTCDateTime, json_type, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey


class TimeOffKind(StrEnum):
    TIME_OFF = "time_off"  # planned: vacation, training
    SICK = "sick"
    CREW_OUT = "crew_out"  # the whole crew is out (truck broken, called away); a re-plan event


class Phase(StrEnum):
    """A production phase of a job; repairs and inspections are route visits, not phases."""

    INSTALL = "install"  # tear-off and install, by the crew holding the material's skill
    GUTTERS = "gutters"  # after the install on a re-roof, or the whole of a gutters job


class PlanKind(StrEnum):
    SCHEDULE = "schedule"  # production: crews by working days over a horizon
    ROUTES = "routes"  # one day's visits, in order, per crew


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # the one the crews work from (one per kind, per route day)
    SUPERSEDED = "superseded"  # was published, replaced by a newer one
    DISCARDED = "discarded"


class StopKind(StrEnum):
    VISIT = "visit"
    BREAK = "break"


class DispatchEventKind(StrEnum):
    CREW_OUT = "crew_out"
    OVERRUN = "overrun"  # a job in progress needs `days` more working days
    URGENT_JOB = "urgent_job"  # e.g. a leak repair to fit into today's routes
    WEATHER = "weather"  # the forecast changed: days become unworkable
    LATE_MATERIALS = "late_materials"  # the delivery moved: materials ready on `starts_on`


class Holiday(UUIDPrimaryKey, Timestamps, Base):
    """A company holiday: nobody is scheduled on it."""

    __tablename__ = "holidays"

    on: Mapped[date] = mapped_column(sa.Date, unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))


class CrewTimeOff(UUIDPrimaryKey, Timestamps, Base):
    """Days a crew cannot be scheduled, both ends inclusive."""

    __tablename__ = "crew_time_off"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_crew_time_off_crew_id_starts_on", "crew_id", "starts_on"),
    )

    crew_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("crews.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[TimeOffKind] = mapped_column(string_enum(TimeOffKind))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))


class JobRequirements(UUIDPrimaryKey, Timestamps, Base):
    """What a job needs before and while it is worked; a job without a row has no constraints
    beyond its type, material and squares."""

    __tablename__ = "job_requirements"
    __table_args__ = (
        sa.CheckConstraint("visit_minutes > 0", name="visit_minutes_positive"),
        sa.CheckConstraint(
            "production_days IS NULL OR production_days > 0", name="production_days_positive"
        ),
        sa.CheckConstraint(
            "window_start_minute IS NULL OR window_end_minute IS NULL"
            " OR window_end_minute > window_start_minute",
            name="window_ordered",
        ),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="CASCADE"), unique=True
    )
    materials_ready_on: Mapped[date | None] = mapped_column(sa.Date)
    permit_ready_on: Mapped[date | None] = mapped_column(sa.Date)
    promised_by: Mapped[date | None] = mapped_column(sa.Date)
    with_gutters: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Days the install takes when the squares / crew capacity estimate is wrong (or no squares).
    production_days: Mapped[int | None] = mapped_column(sa.Integer)
    # Service time of a repair or inspection visit on a daily route.
    visit_minutes: Mapped[int] = mapped_column(sa.Integer, default=60)
    # The customer's time window for a visit, minutes after midnight (local time).
    window_start_minute: Mapped[int | None] = mapped_column(sa.Integer)
    window_end_minute: Mapped[int | None] = mapped_column(sa.Integer)
    # A dispatcher's lock: the job stays with this crew and/or starts on this day.
    locked_crew_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("crews.id", ondelete="SET NULL")
    )
    locked_start_on: Mapped[date | None] = mapped_column(sa.Date)


class DispatchPlan(UUIDPrimaryKey, Timestamps, Base):
    """A production schedule or a day's routes, from the optimizer, a re-plan or a manual move."""

    __tablename__ = "dispatch_plans"
    __table_args__ = (
        sa.Index("ix_dispatch_plans_kind_status", "kind", "status"),
        sa.CheckConstraint("horizon_end >= horizon_start", name="horizon_ordered"),
    )

    kind: Mapped[PlanKind] = mapped_column(string_enum(PlanKind))
    status: Mapped[PlanStatus] = mapped_column(string_enum(PlanStatus), default=PlanStatus.DRAFT)
    horizon_start: Mapped[date] = mapped_column(sa.Date)
    horizon_end: Mapped[date] = mapped_column(sa.Date)
    route_date: Mapped[date | None] = mapped_column(sa.Date, index=True)
    # Why the plan was made: "optimize", "replan: crew out", "manual move", ...
    trigger: Mapped[str] = mapped_column(sa.String(120), default="")
    # Who made it: "cp-sat", "greedy", "pyvrp", "manual", ... and what the dispatcher must know
    # about it (e.g. the solver's plan failed the check and the greedy one was kept instead).
    solver: Mapped[str] = mapped_column(sa.String(32), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    objective: Mapped[float | None] = mapped_column(sa.Float)
    bound: Mapped[float | None] = mapped_column(sa.Float)
    gap_pct: Mapped[float | None] = mapped_column(sa.Float)
    solve_seconds: Mapped[float | None] = mapped_column(sa.Float)
    # The objective's terms: lateness, travel, idle crew-days, changes, ...
    breakdown: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    based_on_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("dispatch_plans.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))


class ScheduleEntry(UUIDPrimaryKey, Base):
    """One phase of one job in a schedule plan: a crew and its working days, or unscheduled
    (crew NULL) with the reason."""

    __tablename__ = "schedule_entries"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "job_id", "phase"),
        sa.Index("ix_schedule_entries_crew_id_starts_on", "crew_id", "starts_on"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("dispatch_plans.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    phase: Mapped[Phase] = mapped_column(string_enum(Phase))
    crew_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("crews.id"))
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    # ISO dates the crew works on it (weekends, holidays and weather days in between skipped).
    work_days: Mapped[list[str]] = mapped_column(json_type(), default=list)
    locked: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    in_progress: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Why here, or why not scheduled.
    reason: Mapped[str] = mapped_column(sa.Text, default="")


class RouteStop(UUIDPrimaryKey, Base):
    """One stop of a crew's day in a routes plan; an unassigned visit has no crew and a reason."""

    __tablename__ = "route_stops"
    __table_args__ = (
        sa.Index("ix_route_stops_plan_id_crew_id_sequence", "plan_id", "crew_id", "sequence"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("dispatch_plans.id", ondelete="CASCADE")
    )
    crew_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("crews.id"), index=True)
    route_date: Mapped[date] = mapped_column(sa.Date)
    sequence: Mapped[int] = mapped_column(sa.Integer, default=0)
    job_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    kind: Mapped[StopKind] = mapped_column(string_enum(StopKind), default=StopKind.VISIT)
    # Minutes after midnight (local time); NULL on an unassigned visit.
    arrival_minute: Mapped[int | None] = mapped_column(sa.Integer)
    start_minute: Mapped[int | None] = mapped_column(sa.Integer)
    departure_minute: Mapped[int | None] = mapped_column(sa.Integer)
    travel_minutes: Mapped[int | None] = mapped_column(sa.Integer)  # from the previous stop
    reason: Mapped[str] = mapped_column(sa.Text, default="")


class DispatchEvent(UUIDPrimaryKey, Timestamps, Base):
    """Something that breaks the published plan and asks for a re-plan."""

    __tablename__ = "dispatch_events"

    kind: Mapped[DispatchEventKind] = mapped_column(string_enum(DispatchEventKind), index=True)
    crew_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("crews.id", ondelete="SET NULL")
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("jobs.id", ondelete="SET NULL"))
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    days: Mapped[int] = mapped_column(sa.Integer, default=0)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The re-plan it produced.
    plan_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("dispatch_plans.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))


class ScheduleAcknowledgement(UUIDPrimaryKey, Base):
    """A crew saw the published plan that changed its schedule."""

    __tablename__ = "schedule_acknowledgements"
    __table_args__ = (sa.UniqueConstraint("plan_id", "crew_id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("dispatch_plans.id", ondelete="CASCADE")
    )
    crew_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("crews.id", ondelete="CASCADE"), index=True
    )
    # NULL when acknowledged through the crew's calendar link rather than a signed-in user.
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WeatherForecast(UUIDPrimaryKey, Base):
    """One day's forecast for one grid cell (coordinates rounded to 2 decimals, about 1 km)."""

    __tablename__ = "weather_forecasts"
    __table_args__ = (sa.UniqueConstraint("latitude", "longitude", "on"),)

    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    on: Mapped[date] = mapped_column(sa.Date, index=True)
    precipitation_mm: Mapped[float] = mapped_column(sa.Float, default=0.0)
    precipitation_probability: Mapped[int | None] = mapped_column(sa.Integer)  # 0-100
    wind_max_mph: Mapped[float] = mapped_column(sa.Float, default=0.0)
    gust_max_mph: Mapped[float] = mapped_column(sa.Float, default=0.0)
    temp_min_f: Mapped[float] = mapped_column(sa.Float)
    temp_max_f: Mapped[float] = mapped_column(sa.Float)
    source: Mapped[str] = mapped_column(sa.String(32), default="")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
