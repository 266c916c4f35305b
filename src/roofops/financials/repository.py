"""Queries of job money: current figures, snapshots, accounting documents and cost lines."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from roofops.financials.figures import COSTS_SETTLE, FIGURES, SOLD_STAGES
from roofops.financials.queries import GroupMargin, ProfitFilters, ProfitRow
from roofops.kit.paging import Page, PageRequest
from roofops.kit.repository import in_chunks
from roofops.kit.time import utcnow
from roofops.models.company import PriceListEntry
from roofops.models.customer import Customer
from roofops.models.enums import (
    AccountingDocStatus,
    CostCategory,
    JobStage,
    JobType,
    MarginKind,
    Material,
    Provider,
)
from roofops.models.financials import (
    AccountingInvoice,
    AccountingPayment,
    AccountingPaymentAllocation,
    CostAllocation,
    CostCategoryMapping,
    CostLine,
    JobFinancials,
    JobFinancialSnapshot,
)
from roofops.models.job import Job

# An invoice counts (toward what was invoiced) unless it was voided or deleted in the books.
COUNTED_STATUSES = (AccountingDocStatus.OPEN, AccountingDocStatus.PAID)
# Upper bounds of the margin histogram's bands; the last band is open-ended.
MARGIN_BUCKETS = (Decimal(0), Decimal("0.1"), Decimal("0.2"), Decimal("0.3"), Decimal("0.4"))


class FinancialsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_jobs(self, job_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, JobFinancials]:
        found: dict[uuid.UUID, JobFinancials] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.scalars(
                sa.select(JobFinancials).where(JobFinancials.job_id.in_(chunk))
            )
            found.update((row.job_id, row) for row in rows)
        return found

    def get(self, job_id: uuid.UUID, *, lock: bool = False) -> JobFinancials | None:
        statement = sa.select(JobFinancials).where(JobFinancials.job_id == job_id)
        return self.session.scalar(statement.with_for_update() if lock else statement)

    def untracked_jobs(self) -> list[Job]:
        missing = ~sa.exists().where(JobFinancials.job_id == Job.id)
        return list(self.session.scalars(sa.select(Job).where(missing)))

    def all_job_ids(self) -> list[uuid.UUID]:
        return list(self.session.scalars(sa.select(Job.id)))

    def job(self, job_id: uuid.UUID) -> Job | None:
        """By primary key: a job the request has loaded already costs no query."""
        return self.session.get(Job, job_id)

    def jobs(self, job_ids: Iterable[uuid.UUID]) -> list[Job]:
        rows: list[Job] = []
        for chunk in in_chunks(job_ids):
            rows.extend(self.session.scalars(sa.select(Job).where(Job.id.in_(chunk))))
        return rows

    def job_ids_by_number(self, numbers: Iterable[str]) -> dict[str, uuid.UUID]:
        found: dict[str, uuid.UUID] = {}
        for chunk in in_chunks(numbers):
            rows = self.session.execute(sa.select(Job.number, Job.id).where(Job.number.in_(chunk)))
            found.update((row.number, row.id) for row in rows)
        return found

    def prices(self) -> dict[tuple[JobType, Material], int]:
        rows = self.session.scalars(sa.select(PriceListEntry))
        return {(row.job_type, row.material): row.price_per_square_cents for row in rows}

    def insert(self, rows: Sequence[JobFinancials]) -> None:
        """New rows built in memory, as one multi-row INSERT (they are not in the session)."""
        if not rows:
            return
        now = utcnow()
        columns = [attribute.key for attribute in sa.inspect(JobFinancials).column_attrs]
        values = [{name: getattr(row, name) for name in columns} for row in rows]
        for row_values in values:
            row_values["created_at"] = row_values["updated_at"] = now
        self.session.execute(sa.insert(JobFinancials), values)

    def add_snapshots(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(sa.insert(JobFinancialSnapshot), list(rows))

    def history(self, job_id: uuid.UUID, limit: int = 100) -> list[JobFinancialSnapshot]:
        return list(
            self.session.scalars(
                sa.select(JobFinancialSnapshot)
                .where(JobFinancialSnapshot.job_id == job_id)
                .order_by(JobFinancialSnapshot.taken_at.desc())
                .limit(limit)
            )
        )


class ProfitRepository:
    """The Profit page's rows, sums and groups, all in SQL. Which margin a job has (none,
    projected, actual) depends on its stage and the date, so it is decided here, per query,
    exactly as figures.margin_kind decides it for one job."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.kind = _kind(now)
        self.margin = sa.case(
            (self.kind == MarginKind.ACTUAL.value, JobFinancials.actual_margin),
            (self.kind == MarginKind.PROJECTED.value, JobFinancials.projected_margin),
            else_=sa.null(),
        )

    def page(
        self, filters: ProfitFilters, request: PageRequest, *, total: int | None = None
    ) -> Page[ProfitRow]:
        """``total``: the filtered jobs' count when the caller has it (the summary counts them)."""
        statement = self._filtered(filters)
        if total is None:
            total = self.session.scalar(self._over(filters, sa.func.count()))
        rows = self.session.execute(
            statement.order_by(Job.created_at.desc(), Job.id.desc())
            .offset(request.offset)
            .limit(request.size)
        ).all()
        items = [ProfitRow(row[0], row[1], MarginKind(row[2])) for row in rows]
        return Page(items=items, total=total or 0, page=request.page, size=request.size)

    def all_rows(self, filters: ProfitFilters) -> Iterator[ProfitRow]:
        statement = self._filtered(filters).order_by(Job.created_at, Job.id)
        for row in self.session.execute(statement.execution_options(yield_per=500)):
            yield ProfitRow(row[0], row[1], MarginKind(row[2]))

    def summary(self, filters: ProfitFilters) -> SummaryFacts:
        """Totals, margins (overall, by job type, by month), margin bands and figure sources of
        the filtered jobs in one statement: the jobs are read once, into a CTE that each part
        groups its own way (as separate queries they read both tables six times a page)."""
        money = self._per_job(filters).cte("money")
        parts = [
            _totals_part(money),
            *(_margins_part(money, grouping) for grouping in MARGIN_GROUPINGS),
            _bands_part(money),
            *(_sources_part(money, figure) for figure in FIGURES),
        ]
        return SummaryFacts.from_rows(self.session.execute(sa.union_all(*parts)).all())

    def margins_by(self, filters: ProfitFilters, grouping: str) -> list[GroupMargin]:
        """Sold jobs' contract, revenue, cost and profit summed per group and margin kind
        (actual and projected apart), grouped by job type, branch, crew or sales rep."""
        revenue, profit = self._revenue(), self._profit()
        money = (
            self._over(
                filters,
                MARGIN_KEYS[grouping].label("key"),
                self.kind.label("kind"),
                JobFinancials.contract_cents.label("contract"),
                revenue.label("revenue"),
                (revenue - profit).label("cost"),
                profit.label("profit"),
            )
            .where(SOLD)
            .subquery()
        )
        sums = [sa.func.sum(money.c[name]) for name in ("contract", "revenue", "cost", "profit")]
        statement = sa.select(money.c.key, money.c.kind, sa.func.count(), *sums).group_by(
            money.c.key, money.c.kind
        )
        return [
            GroupMargin(key, MarginKind(kind), jobs, *(int(value or 0) for value in values))
            for key, kind, jobs, *values in self.session.execute(statement)
        ]

    def version(self) -> DataVersion:
        """What every figure the summary sums depends on, read in one cheap statement: the
        money rows (a change to a job that the summary reads touches its money row too, see
        models.financials) and when the next invoiced job settles."""
        settles_from = self.now - COSTS_SETTLE
        aggregates: list[sa.ColumnElement[Any]] = [
            sa.func.count(JobFinancials.job_id),
            sa.func.max(JobFinancials.updated_at),
        ]
        if self.session.get_bind().dialect.name == "postgresql":
            # Transactions overlap here: one that flushed first may commit last, its edits
            # older than the latest one already seen. The sum of every row's last edit (in
            # microseconds, exact) sees them: an edit only moves its row's time forward. SQLite's
            # writers take turns, so there the latest edit is the latest commit.
            micros = sa.func.date_part("epoch", JobFinancials.updated_at) * 1_000_000
            aggregates.append(sa.func.sum(sa.cast(micros, sa.BigInteger)))
        money = sa.select(*aggregates).subquery()  # one scan of the money rows
        row = self.session.execute(
            sa.select(
                *money.c,
                sa.select(sa.func.min(Job.stage_changed_at))
                .where(Job.stage == JobStage.INVOICED, Job.stage_changed_at > settles_from)
                .scalar_subquery(),
            )
        ).one()
        next_settled = row[-1]
        return DataVersion(
            stamp=tuple(row[:-1]),
            valid_from=self.now,
            valid_until=None if next_settled is None else next_settled + COSTS_SETTLE,
        )

    def _per_job(self, filters: ProfitFilters) -> sa.Select[Any]:
        """One row per filtered job with what the summary's parts group and sum."""
        year = sa.cast(sa.extract("year", Job.created_at), sa.Integer)
        month = sa.cast(sa.extract("month", Job.created_at), sa.Integer)
        return self._over(
            filters,
            sa.case((SOLD, 1), else_=0).label("sold"),
            self.kind.label("kind"),
            self.margin.label("margin"),
            self._revenue().label("revenue"),
            self._profit().label("profit"),
            sa.cast(Job.job_type, sa.String).label("job_type"),
            sa.cast(year * 100 + month, sa.String).label("month"),
            *(getattr(JobFinancials, f"{name}_cents").label(name) for name in SUMMED_AMOUNTS),
            *(getattr(JobFinancials, f"{name}_source").label(f"{name}_source") for name in FIGURES),
        )

    def _revenue(self) -> sa.ColumnElement[int]:
        return sa.case(
            (self.kind == MarginKind.ACTUAL.value, JobFinancials.actual_revenue_cents),
            else_=JobFinancials.projected_revenue_cents,
        )

    def _profit(self) -> sa.ColumnElement[int]:
        return sa.case(
            (self.kind == MarginKind.ACTUAL.value, JobFinancials.actual_profit_cents),
            else_=JobFinancials.projected_profit_cents,
        )

    def _over(self, filters: ProfitFilters, *columns: Any) -> sa.Select[Any]:
        return (
            sa.select(*columns)
            .select_from(Job)
            .join(JobFinancials, JobFinancials.job_id == Job.id)
            .where(Job.archived_at.is_(None), *self._conditions(filters))
        )

    def _filtered(self, filters: ProfitFilters) -> sa.Select[Any]:
        return self._over(filters, Job, JobFinancials, self.kind)

    def _conditions(self, filters: ProfitFilters) -> list[sa.ColumnElement[bool]]:
        conditions = _conditions(filters)
        if filters.margin_below is not None:
            conditions.append(self.margin < filters.margin_below)
        if filters.kind is not None:
            conditions.append(self.kind == filters.kind.value)
        return conditions


@dataclass(frozen=True)
class DataVersion:
    """The money rows' count and latest edit (an insert, an update or a delete moves one of
    them), and the time window in which no invoiced job's margin turns final by age alone
    (``valid_until``: the next one settles then). Equal versions, equal sums."""

    stamp: tuple[object, ...]
    valid_from: datetime
    valid_until: datetime | None

    def covers(self, later: DataVersion) -> bool:
        in_window = self.valid_from <= later.valid_from and (
            self.valid_until is None or later.valid_from < self.valid_until
        )
        return in_window and self.stamp == later.stamp


# Sold: a signed contract, not lost or cancelled (the jobs money totals and margins cover).
SOLD = Job.stage.in_(sorted(SOLD_STAGES))

# What margins may be grouped by (a job's type, branch, crew or sales rep).
MARGIN_KEYS: dict[str, QueryableAttribute[Any]] = {
    "job_type": Job.job_type,
    "branch": Job.branch_id,
    "crew": Job.crew_id,
    "sales_rep": Job.sales_rep,
}


# ----- the summary's statement: every part has the same columns ----------------------------
# (part, key, kind, v1..v7); what the values mean depends on the part (SummaryFacts.from_rows).
MARGIN_GROUPINGS = ("all", "job_type", "month")
SUMMED_AMOUNTS = ("contract", "invoiced", "paid", "balance", "cost_to_date")
PART_VALUES = 7
MarginFacts = tuple[str, str, int, int, int]  # (group key, kind, jobs, revenue, profit)


@dataclass(frozen=True)
class SummaryFacts:
    """The summary's numbers as the database summed them."""

    totals: dict[str, int]  # jobs, sold, and each of SUMMED_AMOUNTS over the sold jobs
    margins: dict[str, list[MarginFacts]]  # by grouping
    bands: list[tuple[str, int, int]]  # (kind, band index, jobs)
    sources: dict[str, int]  # source: how many figures of sold jobs came from it (all figures)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> SummaryFacts:
        facts = cls({}, {grouping: [] for grouping in MARGIN_GROUPINGS}, [], {})
        for part, key, kind, *values in rows:
            numbers = [int(value or 0) for value in values]
            if part == "totals":
                facts.totals.update(zip(("jobs", "sold", *SUMMED_AMOUNTS), numbers, strict=True))
            elif part == "band":
                facts.bands.append((kind, int(key), numbers[0]))
            elif part == "source":
                facts.sources[key] = facts.sources.get(key, 0) + numbers[0]
            elif part in facts.margins:
                facts.margins[part].append((key, kind, numbers[0], numbers[1], numbers[2]))
        return facts


def _part(part: str, key: Any, kind: Any, *values: Any) -> list[Any]:
    """Keys as text (a band or a month is a number); values as they are, NULL sums read as 0."""
    padded = [*values, *[sa.null()] * (PART_VALUES - len(values))]
    return [
        sa.literal(part, sa.String).label("part"),
        sa.cast(key, sa.String).label("key"),
        sa.cast(kind, sa.String).label("kind"),
        *padded,
    ]


def _totals_part(money: sa.CTE) -> sa.Select[Any]:
    sold = money.c.sold == 1
    amounts = [sa.func.sum(money.c[name]).filter(sold) for name in SUMMED_AMOUNTS]
    return sa.select(*_part("totals", "", "", sa.func.count(), sa.func.sum(money.c.sold), *amounts))


def _margins_part(money: sa.CTE, grouping: str) -> sa.Select[Any]:
    key = sa.literal("all", sa.String) if grouping == "all" else money.c[grouping]
    revenue, profit = sa.func.sum(money.c.revenue), sa.func.sum(money.c.profit)
    columns = _part(grouping, key, money.c.kind, sa.func.count(), revenue, profit)
    return sa.select(*columns).where(money.c.sold == 1).group_by(key, money.c.kind)


def _bands_part(money: sa.CTE) -> sa.Select[Any]:
    band = sa.case(
        *((money.c.margin < bound, index) for index, bound in enumerate(MARGIN_BUCKETS)),
        else_=len(MARGIN_BUCKETS),
    )
    return (
        sa.select(*_part("band", band, money.c.kind, sa.func.count()))
        .where(money.c.sold == 1, money.c.margin.is_not(None))
        .group_by(money.c.kind, band)
    )


def _sources_part(money: sa.CTE, figure: str) -> sa.Select[Any]:
    """How many of the sold jobs have this figure from each source."""
    source = money.c[f"{figure}_source"]
    columns = _part("source", source, "", sa.func.count())
    return sa.select(*columns).where(money.c.sold == 1).group_by(source)


def _kind(now: datetime) -> sa.ColumnElement[str]:
    """figures.margin_kind, in SQL."""
    settled = sa.or_(
        Job.stage == JobStage.PAID,
        sa.and_(Job.stage == JobStage.INVOICED, Job.stage_changed_at <= now - COSTS_SETTLE),
    )
    return sa.case(
        (Job.stage.not_in(list(SOLD_STAGES)), MarginKind.NONE.value),
        (sa.and_(settled, JobFinancials.cost_to_date_cents > 0), MarginKind.ACTUAL.value),
        else_=MarginKind.PROJECTED.value,
    )


def _conditions(filters: ProfitFilters) -> list[sa.ColumnElement[bool]]:
    equal: list[tuple[Any, object]] = [
        (Job.branch_id, filters.branch_id),
        (Job.crew_id, filters.crew_id),
        (Job.job_type, filters.job_type),
        (Job.sales_rep, filters.sales_rep),
    ]
    conditions = [column == value for column, value in equal if value is not None]
    if filters.since is not None:
        conditions.append(Job.created_at >= _midnight(filters.since))
    if filters.until is not None:
        conditions.append(Job.created_at < _midnight(filters.until))
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        named = sa.select(Customer.id).where(Customer.display_name.ilike(pattern))
        conditions.append(
            sa.or_(Job.number.ilike(pattern), Job.name.ilike(pattern), Job.customer_id.in_(named))
        )
    return conditions


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class AccountingDocumentRepository:
    """Mirrored invoices and cost lines, replaced per accounting transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def invoices(
        self, provider: Provider, external_ids: Iterable[str]
    ) -> dict[str, AccountingInvoice]:
        found: dict[str, AccountingInvoice] = {}
        for chunk in in_chunks(external_ids):
            rows = self.session.scalars(
                sa.select(AccountingInvoice).where(
                    AccountingInvoice.provider == provider,
                    AccountingInvoice.external_id.in_(chunk),
                )
            )
            found.update((row.external_id, row) for row in rows)
        return found

    def live_invoice_ids(self, provider: Provider) -> set[str]:
        """The external ids of every invoice not (yet) known to be deleted in the books."""
        return set(
            self.session.scalars(
                sa.select(AccountingInvoice.external_id).where(
                    AccountingInvoice.provider == provider,
                    AccountingInvoice.status != AccountingDocStatus.DELETED,
                )
            )
        )

    def cost_txn_ids(self, provider: Provider, txn_type: str) -> set[str]:
        """The transactions of this type that have stored lines."""
        return set(
            self.session.scalars(
                sa.select(CostLine.txn_id)
                .where(CostLine.provider == provider, CostLine.txn_type == txn_type)
                .distinct()
            )
        )

    def add(self, row: object) -> None:
        self.session.add(row)

    def drop_cost_lines(
        self, provider: Provider, txn_type: str, txn_ids: Iterable[str]
    ) -> set[uuid.UUID]:
        """Deletes the lines of these transactions; returns the jobs they were allocated to."""
        jobs: set[uuid.UUID] = set()
        for chunk in in_chunks(txn_ids):
            of_these = (
                CostLine.provider == provider,
                CostLine.txn_type == txn_type,
                CostLine.txn_id.in_(chunk),
            )
            allocated = self.session.scalars(sa.select(CostLine.job_id).where(*of_these))
            jobs.update(job_id for job_id in allocated if job_id is not None)
            self.session.execute(sa.delete(CostLine).where(*of_these))
        return jobs

    def insert_cost_lines(self, rows: Sequence[dict[str, Any]]) -> None:
        """One multi-row INSERT per batch: a full sync writes tens of thousands of lines."""
        if rows:
            self.session.execute(sa.insert(CostLine), list(rows))

    def delete(self, row: object) -> None:
        self.session.delete(row)

    def invoice_totals(self, job_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
        """(invoiced, open balance) per job, over the invoices that count."""
        found: dict[uuid.UUID, tuple[int, int]] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.execute(
                sa.select(
                    AccountingInvoice.job_id,
                    sa.func.sum(AccountingInvoice.total_cents),
                    sa.func.sum(AccountingInvoice.balance_cents),
                )
                .where(
                    AccountingInvoice.job_id.in_(chunk),
                    AccountingInvoice.status.in_(COUNTED_STATUSES),
                )
                .group_by(AccountingInvoice.job_id)
            )
            found.update(
                (job_id, (int(total), int(balance)))
                for job_id, total, balance in rows
                if job_id is not None
            )
        return found

    def cost_totals(self, job_ids: Iterable[uuid.UUID]) -> dict[tuple[uuid.UUID, str], int]:
        found: dict[tuple[uuid.UUID, str], int] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.execute(
                sa.select(CostLine.job_id, CostLine.category, sa.func.sum(CostLine.amount_cents))
                .where(CostLine.job_id.in_(chunk), CostLine.allocation == CostAllocation.JOB)
                .group_by(CostLine.job_id, CostLine.category)
            )
            found.update(
                ((job_id, category.value), int(total))
                for job_id, category, total in rows
                if job_id is not None
            )
        return found

    def jobs_with_documents(self, job_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for chunk in in_chunks(job_ids):
            found.update(
                self.session.scalars(
                    sa.select(AccountingInvoice.job_id).where(AccountingInvoice.job_id.in_(chunk))
                )
            )
            found.update(
                self.session.scalars(sa.select(CostLine.job_id).where(CostLine.job_id.in_(chunk)))
            )
        return found

    def cost_lines(self, job_id: uuid.UUID) -> list[CostLine]:
        return list(
            self.session.scalars(
                sa.select(CostLine).where(CostLine.job_id == job_id).order_by(CostLine.txn_date)
            )
        )

    def job_invoices(self, job_id: uuid.UUID) -> list[AccountingInvoice]:
        return list(
            self.session.scalars(
                sa.select(AccountingInvoice)
                .where(AccountingInvoice.job_id == job_id)
                .order_by(AccountingInvoice.doc_number)
            )
        )


@dataclass(frozen=True)
class CostTotal:
    allocation: CostAllocation
    category: CostCategory
    cents: int
    lines: int


class CompanyCostRepository:
    """The books' costs that are no job's: company overhead and lines allocated elsewhere."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def totals(self, since: date | None, until: date | None) -> list[CostTotal]:
        """Sums and line counts by allocation and category, of lines dated ``since`` to
        ``until`` (both included; a bound leaves out undated lines)."""
        statement = (
            sa.select(
                CostLine.allocation,
                CostLine.category,
                sa.func.sum(CostLine.amount_cents),
                sa.func.count(),
            )
            .where(CostLine.allocation != CostAllocation.JOB)
            .group_by(CostLine.allocation, CostLine.category)
            .order_by(CostLine.allocation, CostLine.category)
        )
        if since is not None:
            statement = statement.where(CostLine.txn_date >= since)
        if until is not None:
            statement = statement.where(CostLine.txn_date <= until)
        return [
            CostTotal(allocation, category, int(cents), int(lines))
            for allocation, category, cents, lines in self.session.execute(statement)
        ]


class CostMappingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self, provider: Provider) -> list[CostCategoryMapping]:
        return list(
            self.session.scalars(
                sa.select(CostCategoryMapping)
                .where(CostCategoryMapping.provider == provider)
                .order_by(CostCategoryMapping.kind, CostCategoryMapping.external_name)
            )
        )

    def get(self, mapping_id: uuid.UUID) -> CostCategoryMapping | None:
        return self.session.get(CostCategoryMapping, mapping_id)

    def find(self, provider: Provider, kind: str, external_id: str) -> CostCategoryMapping | None:
        return self.session.scalar(
            sa.select(CostCategoryMapping).where(
                CostCategoryMapping.provider == provider,
                CostCategoryMapping.kind == kind,
                CostCategoryMapping.external_id == external_id,
            )
        )

    def add(self, row: CostCategoryMapping) -> None:
        self.session.add(row)
        self.session.flush()


class AccountingPaymentRepository:
    """Payments read back from the books, and how each is split over invoices."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def payments(
        self, provider: Provider, external_ids: Iterable[str]
    ) -> dict[str, AccountingPayment]:
        found: dict[str, AccountingPayment] = {}
        for chunk in in_chunks(external_ids):
            rows = self.session.scalars(
                sa.select(AccountingPayment).where(
                    AccountingPayment.provider == provider,
                    AccountingPayment.external_id.in_(chunk),
                )
            )
            found.update((row.external_id, row) for row in rows)
        return found

    def live_payment_ids(self, provider: Provider) -> set[str]:
        """The external ids of every payment not (yet) known to be deleted in the books."""
        return set(
            self.session.scalars(
                sa.select(AccountingPayment.external_id).where(
                    AccountingPayment.provider == provider,
                    AccountingPayment.deleted.is_(False),
                )
            )
        )

    def add(self, row: AccountingPayment) -> None:
        self.session.add(row)

    def replace_allocations(
        self, payment_id: uuid.UUID, allocations: Sequence[tuple[str, int]]
    ) -> None:
        """The payment's split becomes ``(invoice external id, cents)`` pairs."""
        self.session.execute(
            sa.delete(AccountingPaymentAllocation).where(
                AccountingPaymentAllocation.payment_id == payment_id
            )
        )
        if allocations:
            self.session.execute(
                sa.insert(AccountingPaymentAllocation),
                [
                    {
                        "id": uuid.uuid4(),
                        "payment_id": payment_id,
                        "invoice_external_id": invoice_id,
                        "amount_cents": cents,
                    }
                    for invoice_id, cents in allocations
                ],
            )
