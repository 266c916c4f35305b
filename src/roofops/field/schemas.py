"""JSON shapes of the field side: crews' reports, their day, and site photos."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from roofops.field.results import CrewDayState
from roofops.kit.schemas import OrmModel
from roofops.models.field import FieldStatus


class FieldReportIn(BaseModel):
    crew_id: uuid.UUID
    job_id: uuid.UUID
    status: FieldStatus
    note: str = Field(
        default="", max_length=2000, description="required for blocked: what blocks the crew"
    )


class FieldReportOut(OrmModel):
    id: uuid.UUID
    crew_id: uuid.UUID
    job_id: uuid.UUID
    day: date = Field(description="the company's local date of the report")
    status: FieldStatus
    note: str
    occurred_at: datetime
    reported_by_id: uuid.UUID | None


class PlannedWorkOut(BaseModel):
    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    latitude: float | None
    longitude: float | None
    phase: str = Field(description="a schedule phase (install, gutters) or 'visit' (a route stop)")
    start_minute: int | None = Field(
        description="a route visit's planned start, minutes after local midnight; null for a "
        "schedule phase (it starts at the crew's shift start)"
    )


class CrewDayStateOut(BaseModel):
    crew_id: uuid.UUID
    crew_name: str
    branch_id: uuid.UUID = Field(description="the branch the crew works for that day")
    day: date
    state: str = Field(
        description="scheduled, en_route, on_site, finished, blocked (the last report of the "
        "day; scheduled: work planned, nothing reported), off or idle (no work planned)"
    )
    job_id: uuid.UUID | None
    since: datetime | None = Field(description="when the last report was made")
    note: str
    planned: list[PlannedWorkOut]

    @classmethod
    def of(cls, state: CrewDayState) -> CrewDayStateOut:
        return cls(
            crew_id=state.crew_id,
            crew_name=state.crew_name,
            branch_id=state.branch_id,
            day=state.day,
            state=state.state.value,
            job_id=state.job_id,
            since=state.since,
            note=state.note,
            planned=[PlannedWorkOut(**vars(work)) for work in state.planned],
        )


class FieldDayOut(BaseModel):
    day: date
    crews: list[CrewDayStateOut]


class JobPhotoOut(OrmModel):
    id: uuid.UUID
    job_id: uuid.UUID
    crew_id: uuid.UUID | None
    content_type: str
    byte_size: int
    caption: str
    uploaded_at: datetime
    uploaded_by_id: uuid.UUID | None
    shared_with_customer: bool
    url: str = Field(default="", description="where the image bytes are served (view_jobs)")
