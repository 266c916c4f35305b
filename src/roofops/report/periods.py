"""Report periods: whole calendar months, with the period they are compared with.

Pure date arithmetic (no database): a period is ``from`` month to ``to`` month, both included,
written ``YYYY-MM``; the comparison is the same number of months just before (``previous``),
the same months a year earlier (``last_year``), or none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from roofops.exceptions import ValidationFailed
from roofops.kit.types import StrEnum

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# Three years of months: a longer table says nothing a yearly view would not say better.
MAX_MONTHS = 36
DEFAULT_MONTHS = 12


class Comparison(StrEnum):
    PREVIOUS = "previous"  # the same number of months just before the period
    LAST_YEAR = "last_year"  # the same months one year earlier
    NONE = "none"


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str, *, field: str) -> Month:
        found = MONTH_PATTERN.match(text.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise ValidationFailed(
                f"{field} must be a month written YYYY-MM (e.g. 2026-03), not {text!r}",
                field=field,
            )
        return cls(int(found.group(1)), int(found.group(2)))

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    first: Month
    last: Month

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def __iter__(self) -> Iterator[Month]:
        return (self.first.plus(offset) for offset in range(self.months))

    @property
    def start(self) -> date:
        """The first day of the period."""
        return self.first.first_day

    @property
    def end(self) -> date:
        """The first day after the period."""
        return self.last.plus(1).first_day

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day < self.end

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.label
        return f"{self.first.label} to {self.last.label}"

    def compared(self, comparison: Comparison) -> Period | None:
        if comparison == Comparison.PREVIOUS:
            return Period(self.first.plus(-self.months), self.first.plus(-1))
        if comparison == Comparison.LAST_YEAR:
            return Period(self.first.plus(-12), self.last.plus(-12))
        return None


def period(since: str | None, until: str | None, today: date) -> Period:
    """The months asked for; by default the twelve months that end with this one. 422 with a
    message for a month that is not one, an end before the start or too long a period."""
    last = Month.parse(until, field="to") if until else Month.of(today)
    first = Month.parse(since, field="from") if since else last.plus(1 - DEFAULT_MONTHS)
    chosen = Period(first, last)
    if last < first:
        raise ValidationFailed(
            f"the period ends ({last.label}) before it starts ({first.label})", field="to"
        )
    if chosen.months > MAX_MONTHS:
        raise ValidationFailed(
            f"a period is at most {MAX_MONTHS} months; {chosen.label} is {chosen.months}",
            field="from",
        )
    return chosen
