"""Queries of the operations dashboard: jobs in production and the rows its alerts rest on."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models.enums import JobStage
from roofops.models.job import Job


class OperationsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def jobs_in_production(self) -> list[Job]:
        return list(
            self.session.scalars(
                sa.select(Job)
                .where(Job.stage == JobStage.IN_PRODUCTION, Job.archived_at.is_(None))
                .order_by(Job.stage_changed_at)
            )
        )
