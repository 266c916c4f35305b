"""The contractor running this installation, and its price list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import Cents, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.enums import JobStage, JobType, Material

SINGLETON_KEY = "company"


class CompanySettings(Timestamps, Base):
    """One row per installation: a roofops deployment serves one contractor."""

    __tablename__ = "company_settings"

    key: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=SINGLETON_KEY)
    name: Mapped[str] = mapped_column(sa.String(200))
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="America/Denver")
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    is_demo: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    demo_seed: Mapped[int | None] = mapped_column(sa.Integer)
    # The --size factor and --as-of date a demo was built with (None for a real company).
    demo_size: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    demo_as_of: Mapped[date | None] = mapped_column(sa.Date)
    # A job reaching this stage sends its customer a portal link, once (None: never;
    # roofops.portal.invites).
    portal_invite_stage: Mapped[JobStage | None] = mapped_column(string_enum(JobStage))


class PriceListEntry(UUIDPrimaryKey, Timestamps, Base):
    """Selling price per roofing square, used for placeholder contract amounts and estimates."""

    __tablename__ = "price_list_entries"
    __table_args__ = (sa.UniqueConstraint("job_type", "material"),)

    job_type: Mapped[JobType] = mapped_column(string_enum(JobType))
    material: Mapped[Material] = mapped_column(string_enum(Material))
    price_per_square_cents: Mapped[int] = mapped_column(Cents)
