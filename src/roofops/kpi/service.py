"""The executive KPIs of a period: each registry KPI with the period before, the same period a
year before and thirteen periods of history, from a ledger of the company's facts by day
(roofops.kpi.figures) built once per data version: a few queries whatever the number of periods.

Money KPIs are left out for roles without view_money (MONEY_RULE). A figure is ``partial``
while its period is still running, or while it rests on jobs whose figures are not final.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.company.service import company_service
from roofops.exceptions import ValidationFailed
from roofops.kpi.figures import FIGURES, Amount, Figure, Ledger, Moves, build_ledger
from roofops.kpi.registry import visible
from roofops.kpi.repository import JobKey, KpiRepository, StageMove
from roofops.kpi.results import ExecutiveView, Grain, KpiDefinition, KpiPoint, KpiValue, Period
from roofops.models.enums import Provider, Role
from roofops.performance.service import performance_service
from roofops.report.receivable import Receivable
from roofops.report.service import finance_reports, open_on

EARLIEST = date(1970, 1, 1)
HISTORY = 13  # periods per KPI chart: a year of months and the same month a year before


class KpiService:
    def period_containing(self, day: date, grain: Grain) -> Period:
        """The week (Monday to Sunday) or calendar month that holds ``day``."""
        if day < EARLIEST:
            # A year and more of history before it must still be a date.
            raise ValidationFailed(
                f"the period must be on or after {EARLIEST.isoformat()}", field="period"
            )
        if grain is Grain.WEEK:
            start = day - timedelta(days=day.weekday())
            return Period(start, start + timedelta(days=6), grain)
        start = day.replace(day=1)
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Period(start, following - timedelta(days=1), grain)

    def today(self, db: Session) -> date:
        """Today in the company's time zone: the default as-of day and period."""
        return finance_reports.today(db)

    def view(self, db: Session, role: Role, period: Period, as_of: date) -> ExecutiveView:
        """The KPIs the role may see for ``period`` as known on ``as_of``, with comparisons and
        the last thirteen periods of history (oldest first)."""
        if period.start > as_of:
            raise ValidationFailed(
                f"the period {period.label} has not begun on {as_of.isoformat()}", field="period"
            )
        kpis = visible(Permission.VIEW_MONEY.allows(role))
        ledger = _ledgers.ledger(db, as_of)
        history = history_periods(period)
        values, charts = [], {}
        for kpi in kpis:
            # Each period once: the period before and (for months) the year before are in
            # the history already.
            figures = {one: FIGURES[kpi.key](ledger, one) for one in history}
            figure = _in(figures, kpi, ledger)
            values.append(_value(kpi, ledger, period, figure))
            charts[kpi.key] = tuple(_point(ledger, one, figures[one]) for one in history)
        return ExecutiveView(as_of=as_of, period=period, values=tuple(values), history=charts)


class LedgerCache:
    """The ledger of each as-of day, kept while the data's version stays the same.

    Building it reads every stage move and job (about a second at 30,000 jobs); the
    executive page and API are opened far more often than those rows change. A reuse first
    reads the version (KpiRepository.version: counts and latest edits, one statement) in the
    same transaction, so a page never shows figures older than the rows beside them. Views
    that miss together wait for one of them to build instead of all building at once.
    """

    def __init__(self, entries: int = 8) -> None:
        self._entries: OrderedDict[LedgerKey, tuple[tuple[object, ...], Ledger]] = OrderedDict()
        self._building = threading.Lock()
        self._lock = threading.Lock()
        self._size = entries

    def ledger(self, db: Session, as_of: date) -> Ledger:
        key = (str(db.get_bind().engine.url), as_of)
        version = KpiRepository(db).version()
        kept = self._kept(key, version)
        if kept is not None:
            return kept
        with self._building:
            kept = self._kept(key, version)  # built by the view this one waited for
            if kept is None:
                kept = _build(db, as_of)
                self._keep(key, version, kept)
        return kept

    def _kept(self, key: LedgerKey, version: tuple[object, ...]) -> Ledger | None:
        with self._lock:
            kept = self._entries.get(key)
        return kept[1] if kept is not None and kept[0] == version else None

    def _keep(self, key: LedgerKey, version: tuple[object, ...], ledger: Ledger) -> None:
        with self._lock:
            self._entries[key] = (version, ledger)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


LedgerKey = tuple[str, date]  # the database's URL and the as-of day
_ledgers = LedgerCache()


def _build(db: Session, as_of: date) -> Ledger:
    books, receivables = finance_reports.receivables(db)
    repository = KpiRepository(db)
    zone = ZoneInfo(company_service.get(db).time_zone)
    return build_ledger(
        as_of=as_of,
        invoiced=_amounts(books, receivables, open_balance=False),
        # AR as the aging report reads it on the as-of day: the balances open now.
        receivable=_amounts(books, open_on(receivables, as_of), open_balance=True),
        moves=_moves(repository.stage_moves(), zone),
        money=repository.job_money(),
        medians=repository.revenue_medians(),
        now=_end_of(as_of, zone),
        today=(_depreciation(db, receivables), performance_service.backlog(db, as_of).crew_days),
    )


class CountedInvoice(Protocol):
    """What the KPIs read of an invoice the financial reports count."""

    @property
    def source(self) -> str: ...  # "books" or "roofops"
    @property
    def dated(self) -> date | None: ...
    @property
    def total_cents(self) -> int: ...
    @property
    def open_cents(self) -> int: ...


def _amounts(
    books: Provider | None, invoices: Iterable[CountedInvoice], *, open_balance: bool
) -> list[Amount]:
    """Each invoice's total (or open balance) on its date, by source: the books' provider
    ("quickbooks", "xero") or "roofops" for ours not in the books yet."""
    return [
        Amount(
            item.dated,
            books.value if books is not None and item.source != "roofops" else item.source,
            item.open_cents if open_balance else item.total_cents,
        )
        for item in invoices
        if item.dated is not None
    ]


def history_periods(period: Period) -> list[Period]:
    periods = [period]
    while len(periods) < HISTORY:
        periods.append(periods[-1].previous())
    return periods[::-1]


def _in(
    figures: dict[Period, Figure], kpi: KpiDefinition, ledger: Ledger
) -> Callable[[Period], Figure]:
    """A period's figure: from the history when it is there, else computed."""

    def figure(period: Period) -> Figure:
        known = figures.get(period)
        return known if known is not None else FIGURES[kpi.key](ledger, period)

    return figure


def _value(
    kpi: KpiDefinition, ledger: Ledger, period: Period, figure: Callable[[Period], Figure]
) -> KpiValue:
    now = figure(period)
    return KpiValue(
        key=kpi.key,
        period=period,
        value=now.value,
        previous=figure(period.previous()).value,
        year_before=figure(period.year_before()).value,
        source_shares=now.source_shares if kpi.money else {},
        partial=_partial(now, ledger, period),
        basis=now.basis,
    )


def _point(ledger: Ledger, period: Period, figure: Figure) -> KpiPoint:
    return KpiPoint(period=period, value=figure.value, partial=_partial(figure, ledger, period))


def _partial(figure: Figure, ledger: Ledger, period: Period) -> bool:
    """Still running on the as-of day, or resting on figures that are not final yet."""
    return figure.partial or period.end >= ledger.as_of


def _moves(moves: list[StageMove], zone: ZoneInfo) -> dict[JobKey, Moves]:
    days: defaultdict[JobKey, list[tuple[str, date]]] = defaultdict(list)
    local_day = _local_days(zone)
    for move in moves:
        days[move.job_id].append((move.to_stage, local_day(move.occurred_at)))
    return {job_id: Moves(tuple(one)) for job_id, one in days.items()}


def _local_days(zone: ZoneInfo) -> Callable[[datetime], date]:
    """The company-local day of a UTC moment, with the zone's offset looked up once per hour
    (an offset changes on the hour): a tenth of the cost of ``astimezone`` on every move."""
    offsets: dict[datetime, timedelta] = {}

    def local_day(moment: datetime) -> date:
        hour = moment.replace(minute=0, second=0, microsecond=0)
        offset = offsets.get(hour)
        if offset is None:
            offset = offsets[hour] = hour.astimezone(zone).utcoffset() or timedelta()
        return (moment + offset).date()

    return local_day


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    """The end of the as-of day: a job is final when its figures are final by then."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)


def _depreciation(db: Session, receivables: list[Receivable]) -> int:
    total = finance_reports.depreciation(db, receivables).total or {}
    return sum(
        value for key in ("held", "released_unpaid") if isinstance(value := total.get(key), int)
    )


kpi_service = KpiService()
