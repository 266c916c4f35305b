"""The Profit page's query string: lenient parsing, filters for the reports, and links back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.datastructures import QueryParams

from roofops.financials.queries import ProfitFilters
from roofops.kit.paging import PageRequest
from roofops.models.enums import JobType, MarginKind

PAGE_SIZE = 25
PAGE_URL = "/profit"
CSV_URL = "/profit/export.csv"
# The API accepts margins from -1000% to 100%; anything else is a typo, not a filter.
LOWEST_MARGIN, HIGHEST_MARGIN = Decimal(-1000), Decimal(100)
T = TypeVar("T")


def _parsed(parse: Callable[[str], T], raw: str | None) -> T | None:
    """A hand-edited or stale URL shows results, not an error page: bad values are dropped."""
    try:
        return parse(raw.strip()) if raw and raw.strip() else None
    except (ValueError, ArithmeticError):
        return None


def _percent(raw: str) -> Decimal:
    try:
        value = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite() or not LOWEST_MARGIN <= value <= HIGHEST_MARGIN:
        raise ValueError(raw)
    return value


def _midnight(day: date | None, time_zone: str) -> datetime | None:
    """A day's start in the company's zone, as the aware timestamp ``created_at`` compares to
    (a ``datetime`` is a ``date``, so it fits ProfitFilters' fields)."""
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def _page_number(raw: str) -> int:
    number = int(raw)
    if number < 1:
        raise ValueError(raw)
    return number


@dataclass(frozen=True)
class ProfitQuery:
    """A bookmarkable view of the Profit table; ``margin_below`` is in percent (20 = 20%)."""

    q: str = ""
    branch_id: uuid.UUID | None = None
    crew_id: uuid.UUID | None = None
    job_type: JobType | None = None
    sales_rep: str = ""
    created_from: date | None = None
    created_to: date | None = None
    margin_below: Decimal | None = None
    kind: MarginKind | None = None
    page: int = 1

    @classmethod
    def from_params(cls, params: QueryParams) -> ProfitQuery:
        return cls(
            q=params.get("q", "").strip()[:100],
            branch_id=_parsed(uuid.UUID, params.get("branch")),
            crew_id=_parsed(uuid.UUID, params.get("crew")),
            job_type=_parsed(JobType, params.get("job_type")),
            sales_rep=params.get("sales_rep", "").strip()[:120],
            created_from=_parsed(date.fromisoformat, params.get("from")),
            created_to=_parsed(date.fromisoformat, params.get("to")),
            margin_below=_parsed(_percent, params.get("margin_below")),
            kind=_parsed(MarginKind, params.get("kind")),
            page=_parsed(_page_number, params.get("page")) or 1,
        )

    def filters(self, time_zone: str = "UTC") -> ProfitFilters:
        """Dates are the office's days: from its midnight to the midnight after "to"."""
        return ProfitFilters(
            branch_id=self.branch_id,
            crew_id=self.crew_id,
            job_type=self.job_type,
            sales_rep=self.sales_rep or None,
            since=_midnight(self.created_from, time_zone),
            until=_midnight(self.created_to + timedelta(days=1), time_zone)
            if self.created_to
            else None,
            margin_below=None if self.margin_below is None else self.margin_below / 100,
            kind=self.kind,
            q=self.q or None,
        )

    def page_request(self) -> PageRequest:
        return PageRequest(page=self.page, size=PAGE_SIZE)

    @property
    def is_filtered(self) -> bool:
        return self.filters() != ProfitFilters()

    def params(self) -> list[tuple[str, str]]:
        pairs = [
            ("q", self.q),
            ("branch", str(self.branch_id or "")),
            ("crew", str(self.crew_id or "")),
            ("job_type", self.job_type.value if self.job_type else ""),
            ("sales_rep", self.sales_rep),
            ("from", self.created_from.isoformat() if self.created_from else ""),
            ("to", self.created_to.isoformat() if self.created_to else ""),
            ("margin_below", "" if self.margin_below is None else str(self.margin_below)),
            ("kind", self.kind.value if self.kind else ""),
            ("page", "" if self.page == 1 else str(self.page)),
        ]
        return [(key, value) for key, value in pairs if value]

    def url(self) -> str:
        query = urlencode(self.params())
        return f"{PAGE_URL}?{query}" if query else PAGE_URL

    def page_url(self, page: int) -> str:
        return replace(self, page=page).url()

    def csv_url(self) -> str:
        """The export of every page, with the same filters."""
        query = urlencode([(key, value) for key, value in self.params() if key != "page"])
        return f"{CSV_URL}?{query}" if query else CSV_URL
