"""Trade skills a crew can hold (asphalt shingle, metal, tile, low-slope, gutters, repairs)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.models.base import Base, Timestamps, UUIDPrimaryKey


class Skill(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "skills"

    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
