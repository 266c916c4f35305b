"""Formatting for people: stage names, ages, durations and money."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from roofops.job.lifecycle import LABELS
from roofops.kit.time import as_utc, utcnow
from roofops.models.enums import VENDOR_NAMES, JobStage

CURRENCY_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def stage_label(stage: JobStage | str | None) -> str:
    return LABELS[JobStage(stage)] if stage else "—"


def sentence(message: str) -> str:
    """Service messages are lower-case fragments; on a page they read as sentences."""
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "?", "!")) else ".")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def age_in_stage(since: datetime, now: datetime | None = None) -> str:
    days = ((now or utcnow()) - as_utc(since)).days
    return "entered today" if days < 1 else f"{plural(days, 'day')} in stage"


def duration(span: timedelta) -> str:
    """A stage duration for the timeline: the two largest units are enough for people."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def elapsed(start: datetime, end: datetime | None = None) -> str:
    """How long a sync ran (so far, while ``end`` is None): seconds matter for short runs."""
    seconds = max(0, int(((as_utc(end) if end else utcnow()) - as_utc(start)).total_seconds()))
    if seconds < 1:
        return "under 1 s"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def money(cents: int | None, currency: str = "USD") -> str:
    if cents is None:
        return "—"
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if cents < 0 else ""
    return f"{sign}{symbol}{abs(cents) / 100:,.2f}"


SPECIAL_WORDS = {"tpo": "TPO", "low_slope": "Low-slope", "_acv": "_ACV", **VENDOR_NAMES}


def humanize(value: str | None) -> str:
    """``low_slope_tpo`` -> ``Low-slope TPO``: enum values as people write them."""
    if not value:
        return "—"
    text = str(value)
    for raw, nice in SPECIAL_WORDS.items():
        text = text.replace(raw, nice)
    text = text.replace("_", " ")
    return text[:1].upper() + text[1:]


# ----- a filter's options, as (value, text) pairs for the filter_select macro ---------------
def enum_choices(members: Iterable[enum.Enum]) -> list[tuple[str, str]]:
    """An enum's members: the value sent, the humanized value shown."""
    return [(str(member.value), humanize(str(member.value))) for member in members]


def named_choices(rows: Iterable[Any]) -> list[tuple[str, str]]:
    """Rows with an id and a name (branches, crews): the id sent, the name shown."""
    return [(str(row.id), str(row.name)) for row in rows]


def plain_choices(values: Iterable[str]) -> list[tuple[str, str]]:
    """Values shown as they are sent (sales reps)."""
    return [(value, value) for value in values]
