"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from roofops.kit.time import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; SQLite stores it naive, we put the zone back on read."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        converted = as_utc(value)
        return converted.replace(tzinfo=None) if dialect.name == "sqlite" else converted

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 (part of the TypeDecorator signature)
    ) -> datetime | None:
        return None if value is None else as_utc(value)


class StrEnum(enum.StrEnum):
    """An enum whose members are their own string values (what the database and JSON hold)."""


def string_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enum as VARCHAR of its values: no native type to migrate when members are added."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


# Money is integer cents everywhere inside; Decimal only at the edges.
Cents = sa.BigInteger


def json_type() -> sa.types.TypeEngine[Any]:
    """JSONB on PostgreSQL (indexable), JSON text on SQLite."""
    from sqlalchemy.dialects.postgresql import JSONB

    return sa.JSON().with_variant(JSONB(), "postgresql")
