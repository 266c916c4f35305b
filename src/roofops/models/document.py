"""Documents the office keeps on a job (contract, warranty, permit, claim paperwork)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import UTCDateTime
from roofops.models.base import Base, UUIDPrimaryKey


class JobDocument(UUIDPrimaryKey, Base):
    """A file on a job; ``data`` holds its bytes (in the database, so every replica serves it)."""

    __tablename__ = "job_documents"
    __table_args__ = (sa.Index("ix_job_documents_job_id_uploaded_at", "job_id", "uploaded_at"),)

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    byte_size: Mapped[int] = mapped_column(sa.Integer)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Internal by default: the customer portal lists only what the office chose to share.
    shared_with_customer: Mapped[bool] = mapped_column(sa.Boolean, default=False)
