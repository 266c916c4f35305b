"""Local (Denver) working time, stored as aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from roofops.demo.catalog import TIME_ZONE

LOCAL = ZoneInfo(TIME_ZONE)
SATURDAY, SUNDAY = 5, 6


def at_local(day: date, minute_of_day: int) -> datetime:
    """``day`` at a local wall-clock minute, in UTC (office hours stay on the same UTC date)."""
    return _local_midnight(day) + timedelta(minutes=minute_of_day)


@lru_cache(maxsize=8192)
def _local_midnight(day: date) -> datetime:
    # The offset at noon: DST switches at 2 a.m., outside the hours anything is booked.
    offset = datetime.combine(day, time(12), LOCAL).utcoffset() or timedelta()
    return datetime.combine(day, time(0), UTC) - offset


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def office_day(day: date) -> date:
    """The same day, or the next Monday when it falls on a weekend."""
    while day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return day


def roofing_day(day: date) -> date:
    """Crews work Monday to Saturday."""
    return day + timedelta(days=1) if day.weekday() == SUNDAY else day


def add_roofing_days(day: date, count: int) -> date:
    """The ``count``-th roofing day after ``day`` (0 returns ``day`` itself)."""
    for _ in range(count):
        day = roofing_day(day + timedelta(days=1))
    return day


def midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)
