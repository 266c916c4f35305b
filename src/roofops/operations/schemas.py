"""JSON shape of GET /api/v1/command-center: the operations snapshot."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from roofops.field.results import CrewDayState, PlannedWork
from roofops.models.enums import JobStage, Priority
from roofops.operations.results import (
    Alert,
    AlertKind,
    MapPoint,
    OperationsSnapshot,
    ProductionJob,
    Severity,
)


class PlannedWorkOut(BaseModel):
    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    latitude: float | None
    longitude: float | None
    phase: str
    start_minute: int | None

    @classmethod
    def of(cls, work: PlannedWork) -> PlannedWorkOut:
        return cls.model_validate(work, from_attributes=True)


class CrewOut(BaseModel):
    crew_id: uuid.UUID
    crew_name: str
    branch_id: uuid.UUID
    state: str = Field(
        description="scheduled, en_route, on_site, finished, blocked; off or idle without work"
    )
    job_id: uuid.UUID | None
    since: datetime | None = Field(description="when the crew last reported; null: not today")
    note: str
    planned: list[PlannedWorkOut]

    @classmethod
    def of(cls, crew: CrewDayState) -> CrewOut:
        return cls(
            crew_id=crew.crew_id,
            crew_name=crew.crew_name,
            branch_id=crew.branch_id,
            state=crew.state.value,
            job_id=crew.job_id,
            since=crew.since,
            note=crew.note,
            planned=[PlannedWorkOut.of(work) for work in crew.planned],
        )


class ProductionJobOut(BaseModel):
    job_id: uuid.UUID
    number: str
    name: str
    stage: JobStage
    priority: Priority
    crew_names: list[str]
    planned_end: date | None = Field(description="last work day in the published plan")
    since: datetime = Field(description="when the job entered its current stage")
    branch_id: uuid.UUID | None

    @classmethod
    def of(cls, job: ProductionJob) -> ProductionJobOut:
        return cls.model_validate(job, from_attributes=True)


class AlertOut(BaseModel):
    kind: AlertKind
    severity: Severity
    title: str
    detail: str
    link: str
    job_id: uuid.UUID | None
    amount_cents: int | None = Field(description="overdue invoices only; null without view_money")

    @classmethod
    def of(cls, alert: Alert) -> AlertOut:
        return cls.model_validate(alert, from_attributes=True)


class MapPointOut(BaseModel):
    kind: str = Field(description="job or yard")
    label: str
    latitude: float
    longitude: float
    link: str
    state: str
    colour: str
    crew_names: list[str]

    @classmethod
    def of(cls, point: MapPoint) -> MapPointOut:
        return cls.model_validate(point, from_attributes=True)


class OperationsOut(BaseModel):
    day: date
    branch_id: uuid.UUID | None
    generated_at: datetime
    crews: list[CrewOut]
    jobs: list[ProductionJobOut]
    alerts: list[AlertOut] = Field(description="most severe first")
    map_points: list[MapPointOut]

    @classmethod
    def of(cls, snapshot: OperationsSnapshot) -> OperationsOut:
        return cls(
            day=snapshot.day,
            branch_id=snapshot.branch_id,
            generated_at=snapshot.generated_at,
            crews=[CrewOut.of(crew) for crew in snapshot.crews],
            jobs=[ProductionJobOut.of(job) for job in snapshot.jobs],
            alerts=[AlertOut.of(alert) for alert in snapshot.alerts],
            map_points=[MapPointOut.of(point) for point in snapshot.map_points],
        )
