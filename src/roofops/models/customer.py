"""Homeowners and commercial clients."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.property import Property


class Customer(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "customers"

    display_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    first_name: Mapped[str] = mapped_column(sa.String(100), default="")
    last_name: Mapped[str] = mapped_column(sa.String(100), default="")
    company_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    is_commercial: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    properties: Mapped[list[Property]] = relationship(
        back_populates="customer", lazy="raise", order_by="Property.address_line1"
    )
