"""Crews: who goes on the roof, what they can do and how much per day."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.branch import Branch
from roofops.models.skill import Skill

crew_skills = sa.Table(
    "crew_skills",
    Base.metadata,
    sa.Column("crew_id", sa.Uuid, sa.ForeignKey("crews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "skill_id", sa.Uuid, sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Crew(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "crews"

    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    branch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    lead_name: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    capacity_squares_per_day: Mapped[int] = mapped_column(sa.Integer, default=20)
    is_subcontractor: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    home_latitude: Mapped[float | None] = mapped_column(sa.Float)
    home_longitude: Mapped[float | None] = mapped_column(sa.Float)
    color: Mapped[str] = mapped_column(sa.String(9), default="#2563eb")
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # When the crew works: ISO weekday digits (1 = Monday) and minutes after midnight, local time.
    working_weekdays: Mapped[str] = mapped_column(sa.String(7), default="12345")
    shift_start_minute: Mapped[int] = mapped_column(sa.Integer, default=420)
    shift_end_minute: Mapped[int] = mapped_column(sa.Integer, default=1020)
    break_minutes: Mapped[int] = mapped_column(sa.Integer, default=30)
    # sha256 of the crew's iCal feed token: the token itself is shown once and never stored.
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    branch: Mapped[Branch] = relationship(lazy="raise")
    skills: Mapped[list[Skill]] = relationship(secondary=crew_skills, lazy="raise")
    members: Mapped[list[CrewMember]] = relationship(
        back_populates="crew",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="CrewMember.name",
    )


class CrewMember(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "crew_members"

    crew_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("crews.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(40), default="roofer")

    crew: Mapped[Crew] = relationship(back_populates="members", lazy="raise")
