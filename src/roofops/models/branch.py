"""Branches (offices/yards) of the contractor."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.models.base import Base, Timestamps, UUIDPrimaryKey


class Branch(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "branches"

    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
