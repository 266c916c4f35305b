"""Xero's date formats (spec digest section 2.3).

JSON answers carry Microsoft dates, ``/Date(1539993600000+0000)/``: milliseconds since the epoch
in UTC, the offset only informative. ``Date``/``DueDate`` come with a ``DateString``
(``2018-10-20T00:00:00``) and ``UpdatedDateUTC`` with an ``UpdatedDateUTCString``
(``2018-11-02T16:31:30Z``). Writes send days as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ms_date(moment: datetime) -> str:
    """``/Date(ms+0000)/`` for an aware moment."""
    millis = (moment.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)
    return f"/Date({millis}+0000)/"


def day_ms_date(day: date) -> str:
    return ms_date(datetime(day.year, day.month, day.day, tzinfo=UTC))


def day_string(day: date) -> str:
    """The ``DateString`` beside a ``Date``."""
    return f"{day.isoformat()}T00:00:00"


def utc_string(moment: datetime) -> str:
    """The ``UpdatedDateUTCString`` beside an ``UpdatedDateUTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: str) -> datetime:
    """A Microsoft date or an ISO date-time (a naive one is UTC); ValueError otherwise."""
    found = _MS_DATE.match(text.strip())
    if found is not None:
        return _EPOCH + timedelta(milliseconds=int(found.group(1)))
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_day(text: str) -> date:
    """The day of a ``Date``/``DueDate`` in any of Xero's formats (``YYYY-MM-DD`` too)."""
    return parse_moment(text).astimezone(UTC).date()
