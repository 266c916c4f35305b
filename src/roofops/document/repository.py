"""Queries of a job's documents; a document is found only through its own job."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import undefer
from sqlalchemy.orm.interfaces import ORMOption

from roofops.kit.repository import Repository, found
from roofops.models.document import JobDocument
from roofops.models.job import Job


class DocumentRepository(Repository[JobDocument]):
    model = JobDocument

    def job(self, job_id: uuid.UUID) -> Job:
        return found(self.session.get(Job, job_id), "job")

    def of_job(self, job_id: uuid.UUID) -> list[JobDocument]:
        """The job's documents without their bytes, newest first."""
        return list(
            self.session.scalars(
                sa.select(JobDocument)
                .where(JobDocument.job_id == job_id)
                .order_by(JobDocument.uploaded_at.desc(), JobDocument.id)
            )
        )

    def on_job(self, job_id: uuid.UUID, document_id: uuid.UUID, *options: ORMOption) -> JobDocument:
        """The document, 404 unless it is one of this job's (ids of another job's too)."""
        document = self.session.scalar(
            sa.select(JobDocument)
            .options(*options)
            .where(JobDocument.id == document_id, JobDocument.job_id == job_id)
        )
        return found(document, "document on this job")

    def with_bytes(self, job_id: uuid.UUID, document_id: uuid.UUID) -> JobDocument:
        return self.on_job(job_id, document_id, undefer(JobDocument.data))
