"""What a signed-in homeowner reads: every query here takes the customer's id or a job id the
service already found among the customer's own jobs, so a row of another customer is never
returned (the pages answer 404 for it, as for an id that does not exist)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, undefer

from roofops.models.activity import ActivityKind, JobActivity
from roofops.models.crew import Crew
from roofops.models.dispatch import DispatchPlan
from roofops.models.document import JobDocument
from roofops.models.field import FieldReport, JobPhoto
from roofops.models.job import Job

NOTICES_SHOWN = 10  # the newest schedule changes a homeowner reads; older ones are history


class PortalJobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def jobs(self, customer_id: uuid.UUID) -> list[Job]:
        """The customer's jobs the CRM has not archived, newest first, with their address."""
        statement = (
            sa.select(Job)
            .options(selectinload(Job.property))
            .where(Job.customer_id == customer_id, Job.archived_at.is_(None))
            .order_by(Job.created_at.desc(), Job.id)
        )
        return list(self.session.scalars(statement))

    def job(self, customer_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
        """The job if it is this customer's and not archived."""
        statement = (
            sa.select(Job)
            .options(selectinload(Job.property))
            .where(Job.id == job_id, Job.customer_id == customer_id, Job.archived_at.is_(None))
        )
        return self.session.scalar(statement)

    def crew_names(self, crew_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Only the crews' names: nothing else of a crew (members, phones) leaves here."""
        if not crew_ids:
            return {}
        rows = self.session.execute(
            sa.select(Crew.id, Crew.name).where(Crew.id.in_(list(crew_ids)))
        )
        return {row[0]: row[1] for row in rows}

    def schedule_changes(self, job_id: uuid.UUID) -> list[JobActivity]:
        """The job's newest SCHEDULE entries (each a published plan's changes to the job)."""
        statement = (
            sa.select(JobActivity)
            .where(JobActivity.job_id == job_id, JobActivity.kind == ActivityKind.SCHEDULE)
            .order_by(JobActivity.occurred_at.desc(), JobActivity.id.desc())
            .limit(NOTICES_SHOWN)
        )
        return list(self.session.scalars(statement))

    def plan_triggers(self, plan_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Why each plan was made ("optimize", "replan: weather", ...)."""
        if not plan_ids:
            return {}
        rows = self.session.execute(
            sa.select(DispatchPlan.id, DispatchPlan.trigger).where(
                DispatchPlan.id.in_(list(plan_ids))
            )
        )
        return {row[0]: row[1] for row in rows}

    def latest_field_report(self, job_id: uuid.UUID, day: date) -> FieldReport | None:
        statement = (
            sa.select(FieldReport)
            .where(FieldReport.job_id == job_id, FieldReport.day == day)
            .order_by(FieldReport.occurred_at.desc(), FieldReport.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def shared_photos(self, job_id: uuid.UUID) -> list[JobPhoto]:
        """The job's photos the office shared, without their bytes, newest first."""
        statement = (
            sa.select(JobPhoto)
            .where(JobPhoto.job_id == job_id, JobPhoto.shared_with_customer.is_(True))
            .order_by(JobPhoto.uploaded_at.desc(), JobPhoto.id)
        )
        return list(self.session.scalars(statement))

    def shared_photo_bytes(self, job_id: uuid.UUID, photo_id: uuid.UUID) -> JobPhoto | None:
        statement = (
            sa.select(JobPhoto)
            .options(undefer(JobPhoto.data))
            .where(
                JobPhoto.id == photo_id,
                JobPhoto.job_id == job_id,
                JobPhoto.shared_with_customer.is_(True),
            )
        )
        return self.session.scalar(statement)

    def shared_documents(self, job_id: uuid.UUID) -> list[JobDocument]:
        """The job's documents the office shared, without their bytes, newest first."""
        statement = (
            sa.select(JobDocument)
            .where(JobDocument.job_id == job_id, JobDocument.shared_with_customer.is_(True))
            .order_by(JobDocument.uploaded_at.desc(), JobDocument.id)
        )
        return list(self.session.scalars(statement))

    def shared_document_bytes(
        self, job_id: uuid.UUID, document_id: uuid.UUID
    ) -> JobDocument | None:
        statement = (
            sa.select(JobDocument)
            .options(undefer(JobDocument.data))
            .where(
                JobDocument.id == document_id,
                JobDocument.job_id == job_id,
                JobDocument.shared_with_customer.is_(True),
            )
        )
        return self.session.scalar(statement)
