"""Teams (sales, production, finance) that own jobs, the handoffs that move a job between them
with a checklist, and crews lent to another branch for a few days."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roofops.kit.types import StrEnum, UTCDateTime, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.branch import Branch
from roofops.models.crew import Crew
from roofops.models.job import Job
from roofops.models.user import User


class TeamFunction(StrEnum):
    """What a team does with a job; a job moves sales -> production -> finance."""

    SALES = "sales"
    PRODUCTION = "production"
    FINANCE = "finance"


class HandoffStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


class Team(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    function: Mapped[TeamFunction] = mapped_column(string_enum(TeamFunction), index=True)
    # None: the team works for every branch (a company-wide finance desk, say).
    branch_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    branch: Mapped[Branch | None] = relationship(lazy="raise")
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", lazy="raise", cascade="all, delete-orphan"
    )


class TeamMember(UUIDPrimaryKey, Base):
    __tablename__ = "team_members"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id"),)

    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )

    team: Mapped[Team] = relationship(back_populates="members", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class JobHandoff(UUIDPrimaryKey, Base):
    """A job passing to another team and owner: open until the receiving side accepts it with
    every required checklist item ticked, or someone cancels it."""

    __tablename__ = "job_handoffs"
    __table_args__ = (
        sa.Index("ix_job_handoffs_job_id_started_at", "job_id", "started_at"),
        # One open handoff per job: two people cannot pass the same job two ways at once.
        sa.Index(
            "uq_job_handoffs_open_job",
            "job_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    status: Mapped[HandoffStatus] = mapped_column(
        string_enum(HandoffStatus), default=HandoffStatus.OPEN, index=True
    )
    from_team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("teams.id"))
    to_team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    from_owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    to_owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    started_by_label: Mapped[str] = mapped_column(sa.String(200), default="")
    # When and by whom it was accepted or cancelled.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    closed_by_label: Mapped[str] = mapped_column(sa.String(200), default="")
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")

    job: Mapped[Job] = relationship(lazy="raise")
    from_team: Mapped[Team | None] = relationship(foreign_keys=[from_team_id], lazy="raise")
    to_team: Mapped[Team] = relationship(foreign_keys=[to_team_id], lazy="raise")
    from_owner: Mapped[User | None] = relationship(foreign_keys=[from_owner_id], lazy="raise")
    to_owner: Mapped[User] = relationship(foreign_keys=[to_owner_id], lazy="raise")
    items: Mapped[list[HandoffItem]] = relationship(
        back_populates="handoff",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="HandoffItem.position",
    )


class HandoffItem(UUIDPrimaryKey, Base):
    """One checklist line of a handoff, copied from the transition's checklist when the
    handoff starts (so a later change to the checklist leaves started handoffs alone)."""

    __tablename__ = "job_handoff_items"
    __table_args__ = (sa.UniqueConstraint("handoff_id", "code"),)

    handoff_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("job_handoffs.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[str] = mapped_column(sa.String(300))
    required: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    done_by_label: Mapped[str] = mapped_column(sa.String(200), default="")

    handoff: Mapped[JobHandoff] = relationship(back_populates="items", lazy="raise")


class CrewLoan(UUIDPrimaryKey, Base):
    """A crew working for another branch from ``starts_on`` to ``ends_on`` (both included,
    company-local dates); its home branch is unchanged."""

    __tablename__ = "crew_loans"
    __table_args__ = (
        sa.Index("ix_crew_loans_crew_id_starts_on", "crew_id", "starts_on"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    crew_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("crews.id", ondelete="CASCADE"))
    to_branch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date, index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))

    crew: Mapped[Crew] = relationship(lazy="raise")
    to_branch: Mapped[Branch] = relationship(lazy="raise")
