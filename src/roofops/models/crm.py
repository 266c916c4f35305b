"""How the CRM's workflow statuses map onto our job lifecycle (editable by an admin)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import string_enum
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
