"""JSON shapes of the field side of dispatch: day routes, urgent visits, calendar links and
acknowledgements."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from roofops.dispatch.day_routes import ROUTE_SECONDS
from roofops.kit.schemas import IsoDate, OrmModel, number


class RoutesRequest(BaseModel):
    date: IsoDate
    seconds: Annotated[float, number(gt=0, le=60)] = Field(
        default=ROUTE_SECONDS, description="the solver's time limit"
    )


class UrgentVisitRequest(BaseModel):
    job_id: uuid.UUID
    date: IsoDate


class RouteStopOut(OrmModel):
    crew_id: uuid.UUID | None = Field(description="null: the visit is not routed (see reason)")
    sequence: int
    job_id: uuid.UUID | None = Field(description="null for a break")
    kind: str
    arrival_minute: int | None
    start_minute: int | None
    departure_minute: int | None
    travel_minutes: int | None
    reason: str


class RoutesPlanOut(BaseModel):
    id: uuid.UUID
    status: str
    route_date: date
    trigger: str
    solver: str
    note: str
    objective: float | None
    solve_seconds: float | None
    breakdown: dict[str, object]
    based_on_id: uuid.UUID | None
    stops: list[RouteStopOut]


class PlacementOut(BaseModel):
    crew_id: uuid.UUID
    starts_on: date
    start_minute: int | None


class VisitChangeOut(BaseModel):
    job_id: uuid.UUID
    before: PlacementOut | None
    after: PlacementOut | None


class UrgentVisitOut(BaseModel):
    job_id: uuid.UUID
    crew_id: uuid.UUID | None = Field(description="the crew that takes it; null if none can")
    seconds: float = Field(description="time to load, insert, check and store the visit")
    changes: list[VisitChangeOut]
    plan: RoutesPlanOut


class CalendarLinkOut(BaseModel):
    crew_id: uuid.UUID
    token: str = Field(description="shown once: only its SHA-256 is stored")
    url: str = Field(description="the feed address to subscribe to on a phone")


class CrewAcknowledgementOut(BaseModel):
    crew_id: uuid.UUID
    crew_name: str
    acknowledged: bool
    acknowledged_at: datetime | None
    user_id: uuid.UUID | None


class PlanAcknowledgementsOut(BaseModel):
    plan_id: uuid.UUID
    status: str
    crews: list[CrewAcknowledgementOut] = Field(
        description="every crew whose work the plan changed"
    )
    pending: int


class AcknowledgeRequest(BaseModel):
    crew_id: uuid.UUID


class AcknowledgementOut(OrmModel):
    plan_id: uuid.UUID
    crew_id: uuid.UUID
    user_id: uuid.UUID | None
    acknowledged_at: datetime
