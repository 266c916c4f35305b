"""JSON shape of GET /api/v1/command-center: the operations snapshot (its crews in the field
side's day-state shape, one schema for both APIs)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from roofops.field.schemas import CrewDayStateOut
from roofops.models.enums import JobStage, Priority
from roofops.operations.results import (
    Alert,
    AlertKind,
    MapPoint,
    OperationsSnapshot,
    ProductionJob,
    Severity,
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
    crews: list[CrewDayStateOut]
    jobs: list[ProductionJobOut]
    alerts: list[AlertOut] = Field(description="most severe first")
    map_points: list[MapPointOut]

    @classmethod
    def of(cls, snapshot: OperationsSnapshot) -> OperationsOut:
        return cls(
            day=snapshot.day,
            branch_id=snapshot.branch_id,
            generated_at=snapshot.generated_at,
            crews=[CrewDayStateOut.of(crew) for crew in snapshot.crews],
            jobs=[ProductionJobOut.of(job) for job in snapshot.jobs],
            alerts=[AlertOut.of(alert) for alert in snapshot.alerts],
            map_points=[MapPointOut.of(point) for point in snapshot.map_points],
        )
