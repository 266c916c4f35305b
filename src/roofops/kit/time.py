"""Clock helpers: everything stored is UTC and timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime as UTC (SQLite drops the zone) and convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def each_day(first: date, last: date) -> list[date]:
    """The days from ``first`` to ``last``, both included (none when ``last`` comes first)."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
