"""A job: one piece of work for one customer at one property, moving through the lifecycle."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roofops.kit.types import Cents, UTCDateTime, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.branch import Branch
from roofops.models.crew import Crew
from roofops.models.customer import Customer
from roofops.models.enums import (
    ActorType,
    FigureSource,
    JobStage,
    JobType,
    Material,
    PayerKind,
    Priority,
)
from roofops.models.property import Property


class Job(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        sa.Index("ix_jobs_stage_stage_changed_at", "stage", "stage_changed_at"),
        # The lists' sort orders (with the id tiebreaker), so a page walks an index.
        sa.Index("ix_jobs_created_at_id", "created_at", "id"),
        sa.Index("ix_jobs_stage_changed_at_id", "stage_changed_at", "id"),
        sa.Index("ix_jobs_updated_at_id", "updated_at", "id"),
        sa.CheckConstraint("squares IS NULL OR squares >= 0", name="squares_not_negative"),
    )

    # Shared with the CRM's job number and the accounting DocNumber.
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    property_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    branch_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    crew_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("crews.id"), index=True)
    # The team that has the job now (sales, production, finance) and the person in it who
    # answers for it; both move together when a handoff is accepted (roofops.team).
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    job_type: Mapped[JobType] = mapped_column(string_enum(JobType), index=True)
    material: Mapped[Material] = mapped_column(string_enum(Material))
    squares: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    pitch: Mapped[int | None] = mapped_column(sa.SmallInteger, doc="rise in inches per 12 of run")
    priority: Mapped[Priority] = mapped_column(string_enum(Priority), default=Priority.NORMAL)
    sales_rep: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    stage: Mapped[JobStage] = mapped_column(
        string_enum(JobStage), default=JobStage.LEAD, index=True
    )
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the CRM archives or deactivates the job: hidden from lists, kept for history.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The CRM status the status map does not know yet: the job shows its last known stage
    # until the status is mapped and a resync runs. Empty when the stage is the CRM's own.
    unmapped_crm_status: Mapped[str] = mapped_column(sa.String(120), default="")

    # The price the customer signed, as the CRM (JOBNIMBUS) or the office (MANUAL) recorded it:
    # the job's contract amount unless finance overrides it on the Profit page.
    contract_cents: Mapped[int | None] = mapped_column(Cents)
    contract_source: Mapped[FigureSource | None] = mapped_column(string_enum(FigureSource))

    payer: Mapped[PayerKind] = mapped_column(string_enum(PayerKind), default=PayerKind.RETAIL)
    insurance_carrier: Mapped[str] = mapped_column(sa.String(120), default="")
    claim_number: Mapped[str] = mapped_column(sa.String(64), default="")
    rcv_cents: Mapped[int | None] = mapped_column(Cents)
    acv_cents: Mapped[int | None] = mapped_column(Cents)
    deductible_cents: Mapped[int | None] = mapped_column(Cents)
    depreciation_held_cents: Mapped[int | None] = mapped_column(Cents)

    customer: Mapped[Customer] = relationship(lazy="raise")
    property: Mapped[Property] = relationship(lazy="raise")
    branch: Mapped[Branch | None] = relationship(lazy="raise")
    crew: Mapped[Crew | None] = relationship(lazy="raise")
    stage_events: Mapped[list[JobStageEvent]] = relationship(
        back_populates="job", lazy="raise", order_by="JobStageEvent.occurred_at"
    )


class JobStageEvent(UUIDPrimaryKey, Base):
    """One stage change: cycle times, predictions and the live dashboard all read these."""

    __tablename__ = "job_stage_events"
    __table_args__ = (
        sa.Index("ix_job_stage_events_job_id_occurred_at", "job_id", "occurred_at"),
        # The Command Center's feed: the newest moves across all jobs.
        sa.Index("ix_job_stage_events_occurred_at_recorded_at", "occurred_at", "recorded_at"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    from_stage: Mapped[JobStage | None] = mapped_column(string_enum(JobStage))
    to_stage: Mapped[JobStage] = mapped_column(string_enum(JobStage), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_type: Mapped[ActorType] = mapped_column(string_enum(ActorType))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    actor_label: Mapped[str] = mapped_column(sa.String(200), default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    job: Mapped[Job] = relationship(back_populates="stage_events", lazy="raise")
