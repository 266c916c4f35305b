"""A committed day for the Command Center's browser tests: one crew with a job today in the
published schedule, its lead's account and a dispatcher's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from roofops.auth.service import auth_service, user_service
from roofops.field.service import field_service
from roofops.models import JobStage, Role
from tests.factories import make_branch, make_crew, make_job
from tests.operations.conftest import publish_schedule, working_every_day
from tests.web.conftest import PASSWORD

LEAD_EMAIL = "casey.lead@example.com"
DISPATCHER_EMAIL = "dee.dispatch@example.com"


@dataclass(frozen=True)
class CrewDay:
    crew_id: str
    job_id: str
    job_number: str
    token: str  # the dispatcher's API token (servers are ready once it answers)


def seed_crew_day(db: Session) -> CrewDay:
    today = field_service.today(db)
    crew = working_every_day(make_crew(db, branch=make_branch(db)))
    crew.name, crew.lead_name, crew.color = "Ridge Crew", "Casey Lead", "#dc2626"
    job = make_job(db, stage=JobStage.SCHEDULED, number="CC-100", name="Hale reroof")
    publish_schedule(db, today, [(job, crew, [today])])
    user_service.create(
        db, email=LEAD_EMAIL, role=Role.CREW_LEAD, full_name="Casey Lead", password=PASSWORD
    )
    dispatcher, _ = user_service.create(
        db, email=DISPATCHER_EMAIL, role=Role.DISPATCHER, full_name="Dee", password=PASSWORD
    )
    token = auth_service.create_api_token(db, user_id=dispatcher.id, name="ready").raw_token
    return CrewDay(str(crew.id), str(job.id), job.number, token)
