"""A building where work happens; jobs and routes need its coordinates."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roofops.models.base import Base, Timestamps, UUIDPrimaryKey

if TYPE_CHECKING:
    from roofops.models.customer import Customer


class Property(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "properties"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    address_line1: Mapped[str] = mapped_column(sa.String(200))
    address_line2: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(100))
    state: Mapped[str] = mapped_column(sa.String(40))
    postal_code: Mapped[str] = mapped_column(sa.String(20))
    country: Mapped[str] = mapped_column(sa.String(2), default="US")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)

    customer: Mapped[Customer] = relationship(back_populates="properties", lazy="raise")

    @property
    def one_line(self) -> str:
        street = ", ".join(part for part in (self.address_line1, self.address_line2) if part)
        return f"{street}, {self.city}, {self.state} {self.postal_code}"
