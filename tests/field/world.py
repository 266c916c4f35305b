"""A crew and its lead with work in the published plan, for the field side's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.auth.service import principal_for
from roofops.models import ActorType, Branch, Crew, Job, JobStage, Role, User
from tests.dispatch.field_world import published_schedule
from tests.factories import make_branch, make_crew, make_job, make_user


@dataclass
class CrewWithLead:
    crew: Crew
    user: User
    lead: Principal


def as_principal(user: User) -> Principal:
    return principal_for(user, actor_type=ActorType.USER)


def person(db: Session, role: Role) -> Principal:
    return as_principal(make_user(db, role=role))


def crew_with_lead(db: Session, branch: Branch | None = None, name: str = "") -> CrewWithLead:
    """A crew whose lead name is a crew_lead user's full name (how a user leads a crew)."""
    crew = make_crew(db, branch=branch or make_branch(db))
    user = make_user(db, role=Role.CREW_LEAD)
    user.full_name = crew.lead_name = name or f"Lead of {crew.name}"
    db.flush()
    return CrewWithLead(crew, user, as_principal(user))


def planned_job(
    db: Session, crew: Crew, day: date, *, stage: JobStage = JobStage.SCHEDULED, days: int = 2
) -> Job:
    """A job whose install the published schedule gives ``crew`` from ``day``."""
    job = make_job(db, stage=stage)
    published_schedule(db, [(job, crew, day, days)])
    return job
