"""The financial reports, each figure from the books when the company keeps books.

Where the money comes from (docs/finance.md, "Financial reports"):

- **Invoiced and open balances**: the connected accounting system's invoices (voided and deleted
  ones count nowhere), plus our own invoices the books do not hold yet (issued, not void, not
  pushed to these books and no books invoice carries their number): source "roofops", so
  nothing is counted twice. Without books, our issued invoices are all there is.
- **Collected**: the books' payments by payment date, as the books applied them to invoices
  (one payment split over two invoices counts once, in full); what a payment left on account
  is shown apart. Deleted payments count nowhere.
- **Margins**: the Profit page's figures (roofops.financials), actual (final jobs) and
  projected (open jobs) never mixed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.crew.service import branch_service, crew_service
from roofops.exceptions import ValidationFailed
from roofops.financials.figures import ratio
from roofops.financials.queries import GroupMargin, ProfitFilters
from roofops.financials.reports import profit_reports
from roofops.models.enums import JobStage, MarginKind, Provider
from roofops.models.financials import JobFinancials
from roofops.models.invoice import InvoiceKind, InvoicePayer
from roofops.models.job import Job
from roofops.report.columns import (
    AGING_COLUMNS,
    DEPRECIATION_COLUMNS,
    MARGIN_COLUMNS,
    WIP_COLUMNS,
    revenue_columns,
)
from roofops.report.periods import Comparison, Month, Period, period
from roofops.report.receivable import Receivable
from roofops.report.repository import OTHER_PAYER, FinanceReportRepository
from roofops.report.tables import Cell, Column, ColumnKind, Report

REPORTS = ("revenue", "margins", "ar-aging", "wip", "depreciation")
# Work in progress ends with the final bill: an invoiced or paid job is no longer WIP, whatever
# its margin (projected until the books hold its final figures).
FINALLY_BILLED = frozenset({JobStage.INVOICED, JobStage.PAID})
PAYER_LABELS = {
    InvoicePayer.HOMEOWNER.value: "Homeowner",
    InvoicePayer.INSURANCE_CARRIER.value: "Insurance carrier",
    InvoicePayer.FINANCING.value: "Financing company",
    OTHER_PAYER: "Other (raised in the books)",
}
# Aging buckets by days past due: (key, the last day the bucket holds; None: no end).
AGING_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("current", 0),
    ("days_1_30", 30),
    ("days_31_60", 60),
    ("days_61_90", 90),
    ("days_over_90", None),
)
MARGIN_GROUPINGS = {
    "job_type": "Job type",
    "branch": "Branch",
    "crew": "Crew",
    "sales_rep": "Sales rep",
}


def aging_bucket(days_past_due: int) -> str:
    """``current`` when not yet due (0 days past due included), then 1-30, 31-60, 61-90, 90+."""
    for key, last_day in AGING_BUCKETS:
        if last_day is None or days_past_due <= last_day:
            return key
    raise AssertionError("the last bucket has no end")


class FinanceReports:
    def today(self, db: Session) -> date:
        """Today in the company's time zone: the default period end and aging date."""
        return datetime.now(ZoneInfo(company_service.get(db).time_zone)).date()

    def revenue(self, db: Session, period: Period, comparison: Comparison) -> Report:
        repository = FinanceReportRepository(db)
        books = repository.books_provider()
        receivables = repository.receivables(books)
        other = period.compared(comparison)
        months = _monthly(repository, books, receivables, period)
        compared = _monthly(repository, books, receivables, other) if other else None
        beside = list(compared.items()) if compared else [None] * len(months)
        rows = [
            _revenue_row(month, figures, then)
            for (month, figures), then in zip(months.items(), beside, strict=True)
        ]
        columns = revenue_columns(compared is not None)
        return Report(
            name="revenue",
            title="Revenue invoiced and collected by month",
            scope=period.label + (f", compared with {other.label}" if other else ""),
            source=_books_sentence(books),
            columns=columns,
            rows=rows,
            total=_total(rows, columns),
        )

    def margins(self, db: Session, period: Period) -> Report:
        filters = ProfitFilters(since=period.start, until=period.end)
        names = _group_names(db)
        grouped = {key: profit_reports.margins_by(db, filters, key) for key in MARGIN_GROUPINGS}
        rows = [
            row
            for key, label in MARGIN_GROUPINGS.items()
            for row in sorted(
                (_margin_row(label, names(key, group.key), group) for group in grouped[key]),
                key=lambda row: (str(row["group"]), str(row["kind"])),
            )
        ]
        overall = _overall_margins(grouped["job_type"])
        return Report(
            name="margins",
            title="Gross margin by job type, branch, crew and sales rep",
            scope=f"jobs created {period.label}",
            source="The Profit page's figures of each sold job: contract and revenue, the books' "
            "costs (or the estimate for the projected cost of an open job).",
            columns=MARGIN_COLUMNS,
            rows=[*rows, *overall],
            notes=[
                "Actual margins (final jobs) and projected margins (open jobs) are on rows of "
                "their own and never summed together."
            ],
        )

    def receivables(self, db: Session) -> tuple[Provider | None, list[Receivable]]:
        """The books' provider (None without books) and every invoice that counts: what the
        revenue and AR figures here, and the executive KPIs, are summed from."""
        repository = FinanceReportRepository(db)
        books = repository.books_provider()
        return books, repository.receivables(books)

    def ar_aging(self, db: Session, as_of: date) -> Report:
        repository = FinanceReportRepository(db)
        books = repository.books_provider()
        open_items = open_on(repository.receivables(books), as_of)
        by_payer: dict[str, list[Receivable]] = defaultdict(list)
        for item in open_items:
            by_payer[item.payer].append(item)
        rows = [
            _aging_row(PAYER_LABELS[payer], by_payer[payer], as_of)
            for payer in PAYER_LABELS
            if by_payer[payer]
        ]
        return Report(
            name="ar-aging",
            title="Accounts receivable aging by payer type",
            scope=f"as of {as_of.isoformat()}",
            source=_books_sentence(books),
            columns=AGING_COLUMNS,
            rows=rows,
            total=_aging_row("Total", open_items, as_of),
            notes=[
                "Days past due are counted from the due date (the invoice date when the books "
                "have none) to the as-of date; the balances are the open balances the books "
                "hold now, of the invoices dated on or before it."
            ],
        )

    def wip(self, db: Session) -> Report:
        repository = FinanceReportRepository(db)
        billed = _billed_by_job(repository.receivables(repository.books_provider()))
        open_jobs = profit_reports.rows(db, ProfitFilters(kind=MarginKind.PROJECTED))
        rows = [
            _wip_row(row.job, row.money, billed.get(row.job.id, 0))
            for row in open_jobs
            if row.job.stage not in FINALLY_BILLED
        ]
        return Report(
            name="wip",
            title="Work in progress: open jobs",
            scope="open jobs now (sold, work not yet finally billed: contract signed to completed)",
            source="Contract and costs: the Profit page's figures; billed: the books' invoices "
            "plus ours not in the books yet.",
            columns=WIP_COLUMNS,
            rows=rows,
            total=_total(rows, WIP_COLUMNS),
        )

    def depreciation(self, db: Session, receivables: list[Receivable] | None = None) -> Report:
        """``receivables``: those of :meth:`receivables`, when the caller has them already."""
        repository = FinanceReportRepository(db)
        if receivables is None:
            receivables = repository.receivables(repository.books_provider())
        by_number = {item.number: item for item in receivables}
        of_job = _by_job(receivables)
        jobs = repository.insurance_jobs()
        released = repository.released([job.id for job in jobs])
        rows = [
            row
            for job in jobs
            if (row := _depreciation_row(job, released.get(job.id), by_number, of_job[job.id]))
            is not None
        ]
        return Report(
            name="depreciation",
            title="Depreciation outstanding",
            scope="insurance jobs now",
            source="The jobs' claims (depreciation held), their depreciation release invoices "
            "and the books' open balances; a claim the books invoiced in full counts as released "
            "there.",
            columns=DEPRECIATION_COLUMNS,
            rows=rows,
            total=_total(rows, DEPRECIATION_COLUMNS),
        )


# ----- revenue ------------------------------------------------------------------------------
MonthFigures = dict[str, int]


def _monthly(
    repository: FinanceReportRepository,
    books: Provider | None,
    receivables: Sequence[Receivable],
    period: Period,
) -> dict[Month, MonthFigures]:
    months: dict[Month, MonthFigures] = {
        month: defaultdict(int, invoiced_books=0, invoiced_roofops=0, collected=0, on_account=0)
        for month in period
    }
    for item in receivables:
        if period.holds(item.dated):
            assert item.dated is not None
            months[Month.of(item.dated)][f"invoiced_{item.source}"] += item.total_cents
    for collected in repository.collections(books, period.start, period.end):
        months[Month.of(collected.day)]["collected"] += collected.applied_cents
        months[Month.of(collected.day)]["on_account"] += collected.unapplied_cents
    return months


def _revenue_row(
    month: Month, figures: MonthFigures, compared: tuple[Month, MonthFigures] | None
) -> dict[str, Cell]:
    invoiced = figures["invoiced_books"] + figures["invoiced_roofops"]
    row: dict[str, Cell] = {
        "month": month.label,
        "invoiced_books": figures["invoiced_books"],
        "invoiced_roofops": figures["invoiced_roofops"],
        "invoiced": invoiced,
        "collected": figures["collected"],
        "on_account": figures["on_account"],
    }
    if compared is not None:
        other_month, other = compared
        other_invoiced = other["invoiced_books"] + other["invoiced_roofops"]
        row |= {
            "compared_month": other_month.label,
            "compared_invoiced": other_invoiced,
            "compared_collected": other["collected"],
            "invoiced_change": invoiced - other_invoiced,
            "collected_change": figures["collected"] - other["collected"],
        }
    return row


def _total(rows: Sequence[Mapping[str, Cell]], columns: Sequence[Column]) -> dict[str, Cell]:
    """The money columns summed, "Total" in the first column, the rest blank."""
    total: dict[str, Cell] = {columns[0].key: "Total"}
    for column in columns:
        if column.kind == ColumnKind.MONEY:
            total[column.key] = sum(_cents(row.get(column.key)) for row in rows)
    return total


def _cents(value: Cell) -> int:
    return value if isinstance(value, int) else 0


def _books_sentence(books: Provider | None) -> str:
    if books is None:
        return (
            "No accounting system is connected: our own issued invoices (not void) only; "
            "nothing is collected until the books say so."
        )
    return (
        f"The {books.label} invoices and payments as last synced (voided and deleted ones "
        "count nowhere), plus our invoices not in the books yet (source roofops)."
    )


# ----- margins ------------------------------------------------------------------------------
def _group_names(db: Session) -> Callable[[str, object], str]:
    branches = {branch.id: branch.name for branch in branch_service.list(db)}
    crews = {crew.id: crew.name for crew in crew_service.pickable(db)}

    def name(grouping: str, key: object) -> str:
        if key is None or key == "":
            return "(none)"
        known = {"branch": branches, "crew": crews}.get(grouping)
        if known is not None and isinstance(key, uuid.UUID):
            return known.get(key, str(key))
        return str(getattr(key, "value", key))

    return name


def _margin_row(grouping: str, group: str, margin: GroupMargin) -> dict[str, Cell]:
    return _margin_cells(
        grouping,
        group,
        margin.kind,
        margin.jobs,
        (margin.contract_cents, margin.revenue_cents, margin.cost_cents, margin.profit_cents),
    )


def _margin_cells(
    grouping: str, group: str, kind: MarginKind, jobs: int, money: tuple[int, int, int, int]
) -> dict[str, Cell]:
    contract, revenue, cost, profit = money
    return {
        "grouping": grouping,
        "group": group,
        "kind": kind.value,
        "jobs": jobs,
        "contract": contract,
        "revenue": revenue,
        "cost": cost,
        "profit": profit,
        # Over the jobs whose cost is known: their revenue is cost + profit.
        "margin": ratio(profit, cost + profit),
    }


def _overall_margins(groups: Iterable[GroupMargin]) -> list[Mapping[str, Cell]]:
    """Every sold job once (each has one job type), per kind."""
    sums: dict[MarginKind, list[int]] = {}
    for group in groups:
        values = (
            group.jobs,
            group.contract_cents,
            group.revenue_cents,
            group.cost_cents,
            group.profit_cents,
        )
        so_far = sums.get(group.kind, [0] * len(values))
        sums[group.kind] = [a + b for a, b in zip(so_far, values, strict=True)]
    return [
        _margin_cells("All", "All sold jobs", kind, jobs, (contract, revenue, cost, profit))
        for kind, (jobs, contract, revenue, cost, profit) in sorted(sums.items())
    ]


# ----- AR aging -----------------------------------------------------------------------------
def open_on(receivables: Iterable[Receivable], as_of: date) -> list[Receivable]:
    """The receivables of AR at ``as_of``: dated on or before it, with a balance open now
    (the executive AR KPI reads the same)."""
    return [
        item
        for item in receivables
        if item.open_cents and item.dated is not None and item.dated <= as_of
    ]


def _aging_row(payer: str, items: Sequence[Receivable], as_of: date) -> dict[str, Cell]:
    buckets = dict.fromkeys((key for key, _ in AGING_BUCKETS), 0)
    for item in items:
        due = item.due or item.dated
        assert due is not None  # an undated invoice is never aged (see ar_aging)
        buckets[aging_bucket((as_of - due).days)] += item.open_cents
    row: dict[str, Cell] = {"payer": payer, "invoices": len(items), **buckets}
    row["open"] = sum(item.open_cents for item in items)
    return row


# ----- WIP ----------------------------------------------------------------------------------
def _billed_by_job(receivables: Iterable[Receivable]) -> dict[uuid.UUID | None, int]:
    return {
        job_id: sum(item.total_cents for item in items)
        for job_id, items in _by_job(receivables).items()
    }


def _wip_row(job: Job, money: JobFinancials, billed: int) -> dict[str, Cell]:
    contract = money.contract_cents or 0
    cost = money.cost_to_date_cents or 0
    complete = percent_complete(cost, money.projected_cost_cents)
    earned = int((contract * complete).quantize(Decimal(1)))
    return {
        "job": job.number,
        "name": job.name,
        "stage": job.stage.value,
        "contract": contract,
        "billed": billed,
        "cost_to_date": cost,
        "projected_cost": money.projected_cost_cents or 0,
        "complete": complete,
        "earned": earned,
        "over_billed": max(billed - earned, 0),
        "under_billed": max(earned - billed, 0),
    }


def percent_complete(cost_to_date: int, projected_cost: int | None) -> Decimal:
    """Cost to cost: the share of the projected cost spent so far, at most 100 %."""
    if not projected_cost:
        return Decimal(0)
    return min(ratio(cost_to_date, projected_cost) or Decimal(0), Decimal(1))


# ----- depreciation -------------------------------------------------------------------------
def _depreciation_row(
    job: Job,
    release_number: str | None,
    by_number: Mapping[str, Receivable],
    job_items: Sequence[Receivable],
) -> dict[str, Cell] | None:
    """The job's depreciation still owed, or None when the carrier owes none of it."""
    depreciation = job.depreciation_held_cents or 0
    row: dict[str, Cell] = {
        "job": job.number,
        "name": job.name,
        "carrier": job.insurance_carrier,
        "claim": job.claim_number,
        "stage": job.stage.value,
        "depreciation": depreciation,
        "release_invoice": release_number or "",
        "held": 0,
        "released_unpaid": 0,
    }
    if release_number is not None:
        release = by_number.get(release_number)
        if release is None:  # raised, not issued yet: the carrier has not been asked
            return row | {"status": "release not sent", "held": depreciation}
        unpaid = release.open_cents
        status = "released, unpaid"
    elif _claim_invoiced_in_full(job, job_items):
        # Released by an invoice raised in the books: what the job still has open there, up
        # to the depreciation, is what the carrier still owes of it.
        unpaid = min(depreciation, sum(item.open_cents for item in job_items))
        status = "released in the books, unpaid"
    else:
        return row | {"status": "held", "held": depreciation}
    if unpaid <= 0:
        return None
    return row | {"status": status, "released_unpaid": unpaid}


def _claim_invoiced_in_full(job: Job, job_items: Sequence[Receivable]) -> bool:
    """The job's invoices reach the claim's RCV plus the supplements we invoiced: whatever
    raised them, the depreciation was among them."""
    if job.rcv_cents is None or not job_items:
        return False
    supplements = sum(i.total_cents for i in job_items if i.kind == InvoiceKind.SUPPLEMENT.value)
    return sum(item.total_cents for item in job_items) >= job.rcv_cents + supplements


def _by_job(receivables: Iterable[Receivable]) -> defaultdict[uuid.UUID | None, list[Receivable]]:
    grouped: defaultdict[uuid.UUID | None, list[Receivable]] = defaultdict(list)
    for item in receivables:
        grouped[item.job_id].append(item)
    return grouped


finance_reports = FinanceReports()


@dataclass(frozen=True)
class ReportQuery:
    """What a report is asked for: months ``YYYY-MM`` (from, to), a comparison, an as-of date."""

    since: str | None = None
    until: str | None = None
    compare: Comparison = Comparison.PREVIOUS
    as_of: date | None = None


def build(db: Session, name: str, query: ReportQuery) -> Report:
    """One report by its API name; the period checked (422 with a message), today in the
    company's time zone by default."""
    today = finance_reports.today(db)
    if name == "revenue":
        return finance_reports.revenue(db, period(query.since, query.until, today), query.compare)
    if name == "margins":
        return finance_reports.margins(db, period(query.since, query.until, today))
    if name == "ar-aging":
        return finance_reports.ar_aging(db, query.as_of or today)
    if name == "wip":
        return finance_reports.wip(db)
    if name == "depreciation":
        return finance_reports.depreciation(db)
    raise ValidationFailed(f"no report {name!r}: one of {', '.join(REPORTS)}", field="report")
