"""Queries behind the completion model's history: jobs, their stage events, crews' skills."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models.crew import Crew, crew_skills
from roofops.models.enums import JobStage, JobType, Material, PayerKind
from roofops.models.job import Job, JobStageEvent
from roofops.models.skill import Skill


class HistoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def jobs(self) -> Sequence[sa.Row[uuid.UUID, JobType, Material, Decimal | None, PayerKind]]:
        """What each job's lead says: type, material, squares, payer."""
        statement = sa.select(Job.id, Job.job_type, Job.material, Job.squares, Job.payer).order_by(
            Job.id
        )
        return self.session.execute(statement).all()

    def stage_events(
        self, known_by: datetime | None = None
    ) -> Sequence[sa.Row[uuid.UUID, JobStage, datetime, datetime]]:
        """Every stage move that had happened and been recorded by ``known_by`` (all when
        None), in the order each job went through them."""
        statement = sa.select(
            JobStageEvent.job_id,
            JobStageEvent.to_stage,
            JobStageEvent.occurred_at,
            JobStageEvent.recorded_at,
        ).order_by(JobStageEvent.job_id, JobStageEvent.occurred_at, JobStageEvent.recorded_at)
        if known_by is not None:
            statement = statement.where(
                JobStageEvent.occurred_at <= known_by, JobStageEvent.recorded_at <= known_by
            )
        return self.session.execute(statement).all()

    def crews(self) -> list[tuple[uuid.UUID, int, bool, datetime, frozenset[str]]]:
        """(id, squares per day, active, created at, skill codes) of every crew."""
        skills: dict[uuid.UUID, set[str]] = defaultdict(set)
        links = sa.select(crew_skills.c.crew_id, Skill.code).join(
            Skill, Skill.id == crew_skills.c.skill_id
        )
        for crew_id, code in self.session.execute(links):
            skills[crew_id].add(code)
        statement = sa.select(
            Crew.id, Crew.capacity_squares_per_day, Crew.is_active, Crew.created_at
        ).order_by(Crew.id)
        return [
            (crew_id, capacity, active, created, frozenset(skills[crew_id]))
            for crew_id, capacity, active, created in self.session.execute(statement)
        ]
