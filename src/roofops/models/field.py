"""What crews report from the roof: their status on a job each day, and the site photos they
take. Photos are stored in the database (every replica serves them, backups hold them)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import StrEnum, UTCDateTime, string_enum
from roofops.models.base import Base, UUIDPrimaryKey


class FieldStatus(StrEnum):
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    FINISHED = "finished"  # finished for today (the job may go on tomorrow)
    BLOCKED = "blocked"  # cannot work past a problem; the note says which


class FieldReport(UUIDPrimaryKey, Base):
    """One press of a crew page button: the crew's status on a job at a moment of a day."""

    __tablename__ = "field_reports"
    __table_args__ = (sa.Index("ix_field_reports_day_crew_id", "day", "crew_id"),)

    crew_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("crews.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(sa.Date)  # the company's local date of the report
    status: Mapped[FieldStatus] = mapped_column(string_enum(FieldStatus))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class JobPhoto(UUIDPrimaryKey, Base):
    """A site photo; ``data`` holds the image bytes as uploaded (type checked by magic bytes)."""

    __tablename__ = "job_photos"
    __table_args__ = (sa.Index("ix_job_photos_job_id_uploaded_at", "job_id", "uploaded_at"),)

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    crew_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("crews.id", ondelete="SET NULL")
    )
    content_type: Mapped[str] = mapped_column(sa.String(40))
    byte_size: Mapped[int] = mapped_column(sa.Integer)
    # deferred: listing a job's photos never drags megabytes of bytes along.
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    caption: Mapped[str] = mapped_column(sa.String(500), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # The customer portal shows shared photos only (a later issue); internal by default.
    shared_with_customer: Mapped[bool] = mapped_column(sa.Boolean, default=False)
