"""What roofops keeps of the CRM beside the jobs themselves: how its statuses map onto our
lifecycle, its workflows, the log of its job status changes, and which branch its locations and
sales reps belong to."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import UTCDateTime, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.enums import JobStage


class CrmStatusMapping(UUIDPrimaryKey, Timestamps, Base):
    """A CRM status name -> our stage, across workflows (status-change activities do not say
    which workflow their job is in). A status with no row is *unknown*: the sync reports it
    rather than guessing a stage."""

    __tablename__ = "crm_status_mappings"
    __table_args__ = (sa.UniqueConstraint("status_name"),)

    status_name: Mapped[str] = mapped_column(sa.String(120))
    stage: Mapped[JobStage] = mapped_column(string_enum(JobStage))


class CrmWorkflowStatus(UUIDPrimaryKey, Base):
    """One status of one of the account's job workflows, as the last sync read them from the
    CRM's account settings: what the status map offers an admin to map."""

    __tablename__ = "crm_workflow_statuses"
    __table_args__ = (sa.UniqueConstraint("workflow_id", "status_id"),)

    workflow_id: Mapped[int] = mapped_column(sa.Integer)
    workflow_name: Mapped[str] = mapped_column(sa.String(120))
    workflow_order: Mapped[int] = mapped_column(sa.Integer, default=0)
    status_id: Mapped[int] = mapped_column(sa.Integer)
    status_name: Mapped[str] = mapped_column(sa.String(120))
    status_order: Mapped[int] = mapped_column(sa.Integer, default=0)
    is_closed: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class CrmStatusChange(UUIDPrimaryKey, Base):
    """One entry of a CRM job's status log: a status-change activity, or (until that activity
    arrives) the job record's own "status X since T". Keyed by the CRM's ids, so an entry can
    arrive before its job; a job's stage history is derived from its entries and the status
    map, so mapping a status later re-derives the history it appears in."""

    __tablename__ = "crm_status_changes"
    __table_args__ = (sa.UniqueConstraint("activity_external_id"),)

    job_external_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    # Empty until the status-change activity itself is read (NULLs never collide).
    activity_external_id: Mapped[str | None] = mapped_column(sa.String(64))
    from_status: Mapped[str | None] = mapped_column(sa.String(120))
    to_status: Mapped[str] = mapped_column(sa.String(120), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(sa.String(200), default="")


class CrmBranchKey(StrEnum):
    """What of a CRM job says which branch it belongs to."""

    LOCATION = "location"
    SALES_REP = "sales_rep"


class CrmBranchMapping(UUIDPrimaryKey, Timestamps, Base):
    """A CRM location or sales rep -> our branch (none: the job's branch is left alone).
    A row appears the first time the sync sees the location or rep."""

    __tablename__ = "crm_branch_mappings"
    __table_args__ = (sa.UniqueConstraint("kind", "external_id"),)

    kind: Mapped[CrmBranchKey] = mapped_column(string_enum(CrmBranchKey, length=16))
    external_id: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    branch_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("branches.id", ondelete="SET NULL"), index=True
    )
