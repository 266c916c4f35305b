"""The Profit summary as SQL sums it (one statement, on SQLite and PostgreSQL) against the same
numbers worked out in Python from the rows it sums: totals, margins overall, by job type and
by month, margin bands and figure sources, with and without filters."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.financials.figures import COST_FIGURES, COSTS_SETTLE, FIGURES, SOLD_STAGES
from roofops.financials.queries import ProfitFilters, ProfitRow
from roofops.financials.reports import BAND_LABELS, MarginGroup, ProfitSummary, profit_reports
from roofops.financials.repository import MARGIN_BUCKETS, ProfitRepository
from roofops.financials.service import financials_service
from roofops.kit.paging import PageRequest
from roofops.models import Job, JobFinancials, JobStage, JobType, MarginKind
from roofops.sandbox.demo import build_demo

AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)


@pytest.fixture
def company(db: Session) -> None:
    """A small demo company; some paid jobs get costs by hand so that they have actual margins
    (one at a loss), the rest stay open or unsold."""
    build_demo(db, size=0.05, seed=5, as_of=AS_OF)
    paid = db.scalars(sa.select(Job).where(Job.stage == JobStage.PAID).order_by(Job.number)).all()
    assert len(paid) >= 4
    for index, job in enumerate(paid[:4]):
        contract = job.contract_cents or 10_000_00
        share = (Decimal("1.3") if index == 0 else Decimal("0.55")) / len(COST_FIGURES)
        for figure in COST_FIGURES[:3]:
            cents = int(contract * share * len(COST_FIGURES) / 3)
            financials_service.set_manual(
                db, SYSTEM, job.id, figure=figure, cents=cents, reason="costs from the invoices"
            )
    db.flush()


def expected(db: Session, filters: ProfitFilters, now: datetime = NOW) -> ProfitSummary:
    rows = list(ProfitRepository(db, now).all_rows(filters))
    sold = [row for row in rows if row.job.stage in SOLD_STAGES]
    groups: dict[str, dict[tuple[str, MarginKind], list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0])
    )
    bands: Counter[tuple[MarginKind, int]] = Counter()
    for row in sold:
        revenue, profit, margin = money_of(row)
        created = row.job.created_at.astimezone(UTC)
        keys = {"all": "all", "job_type": row.job.job_type.value}
        keys["month"] = str(created.year * 100 + created.month)
        for grouping, key in keys.items():
            totals = groups[grouping][(key, row.kind)]
            totals[0], totals[1], totals[2] = totals[0] + 1, totals[1] + revenue, totals[2] + profit
        if margin is not None:
            bands[(row.kind, band_of(margin))] += 1
    sources = Counter(row.money.source(name).value for row in sold for name in FIGURES)

    def margin_groups(grouping: str) -> list[MarginGroup]:
        found = groups[grouping].items()
        return sorted(
            (MarginGroup(key, kind, *sums) for (key, kind), sums in found),
            key=lambda group: (group.key, group.kind),
        )

    overall = {group.kind: group for group in margin_groups("all")}
    return ProfitSummary(
        jobs=len(rows),
        sold=len(sold),
        contract_cents=sum(row.money.contract_cents or 0 for row in sold),
        invoiced_cents=sum(row.money.invoiced_cents or 0 for row in sold),
        paid_cents=sum(row.money.paid_cents or 0 for row in sold),
        balance_cents=sum(row.money.balance_cents or 0 for row in sold),
        cost_to_date_cents=sum(row.money.cost_to_date_cents or 0 for row in sold),
        actual=overall.get(MarginKind.ACTUAL, MarginGroup("all", MarginKind.ACTUAL, 0, 0, 0)),
        projected=overall.get(
            MarginKind.PROJECTED, MarginGroup("all", MarginKind.PROJECTED, 0, 0, 0)
        ),
        by_type=margin_groups("job_type"),
        by_month=margin_groups("month"),
        distribution=[
            (label, bands[(MarginKind.ACTUAL, index)], bands[(MarginKind.PROJECTED, index)])
            for index, label in enumerate(BAND_LABELS)
        ],
        sources=dict(sources),
    )


def money_of(row: ProfitRow) -> tuple[int, int, Decimal | None]:
    money = row.money
    if row.kind == MarginKind.ACTUAL:
        return money.actual_revenue_cents or 0, money.actual_profit_cents or 0, money.actual_margin
    return (
        money.projected_revenue_cents or 0,
        money.projected_profit_cents or 0,
        money.projected_margin,
    )


def band_of(margin: Decimal) -> int:
    return next(
        (index for index, bound in enumerate(MARGIN_BUCKETS) if margin < bound),
        len(MARGIN_BUCKETS),
    )


@pytest.mark.usefixtures("company")
@pytest.mark.parametrize(
    "filters",
    [
        ProfitFilters(),
        ProfitFilters(job_type=JobType.REROOF),
        ProfitFilters(kind=MarginKind.ACTUAL),
        ProfitFilters(since=date(2026, 1, 1), margin_below=Decimal("0.4")),
        ProfitFilters(q="no job is called this"),
    ],
    ids=["all", "reroofs", "final", "this-year-below-40", "nothing"],
)
def test_the_summary_sums_what_the_rows_say(db: Session, filters: ProfitFilters) -> None:
    summary = profit_reports.summary(db, filters, now=NOW)

    assert summary == expected(db, filters)
    # The Profit page takes its total from the summary instead of counting again.
    page, _ = profit_reports.page_with_summary(db, filters, PageRequest(size=5))
    assert page.total == profit_reports.page(db, filters, PageRequest(size=5)).total


@pytest.mark.usefixtures("company")
def test_the_company_has_every_kind_of_margin_to_sum(db: Session) -> None:
    """The data above is worth comparing: final and open jobs, a loss, several sources."""
    summary = profit_reports.summary(db, ProfitFilters(), now=NOW)

    assert summary.actual.jobs >= 4
    assert summary.projected.jobs > 0
    assert summary.jobs > summary.sold
    assert summary.distribution[0][1] >= 1  # the final job sold at a loss
    assert {"manual", "placeholder"} <= set(summary.sources)
    assert len(summary.by_month) > 3


@pytest.mark.usefixtures("company")
def test_a_kept_summary_follows_every_change_to_the_money_and_the_jobs(db: Session) -> None:
    """The summary is reused between views (SummaryCache) but never once the data moved."""
    profit_reports.summary(db, ProfitFilters(), now=NOW)
    job = db.scalars(sa.select(Job).where(Job.stage == JobStage.PAID).order_by(Job.number)).first()
    assert job is not None
    financials_service.set_manual(
        db, SYSTEM, job.id, figure=COST_FIGURES[0], cents=123_456_78, reason="a late bill"
    )
    db.flush()
    assert profit_reports.summary(db, ProfitFilters(), now=NOW) == expected(db, ProfitFilters())

    job.stage = JobStage.CANCELLED
    db.flush()
    assert profit_reports.summary(db, ProfitFilters(), now=NOW) == expected(db, ProfitFilters())

    other_rep = ProfitFilters(sales_rep="Nobody Yet")
    assert profit_reports.summary(db, other_rep, now=NOW).jobs == 0
    job.sales_rep = "Nobody Yet"
    db.flush()
    assert profit_reports.summary(db, other_rep, now=NOW) == expected(db, other_rep)
    assert profit_reports.summary(db, other_rep, now=NOW).jobs == 1

    db.execute(sa.delete(Job).where(Job.id == job.id))
    assert profit_reports.summary(db, ProfitFilters(), now=NOW) == expected(db, ProfitFilters())


@pytest.mark.usefixtures("company")
def test_a_kept_summary_sees_an_invoiced_job_turn_final_with_age(db: Session) -> None:
    """No row changes when an invoiced job's costs settle: only the date does."""
    invoiced = db.scalars(
        sa.select(Job).where(Job.stage == JobStage.INVOICED).order_by(Job.number)
    ).first()
    assert invoiced is not None
    financials_service.set_manual(
        db, SYSTEM, invoiced.id, figure=COST_FIGURES[0], cents=1_000_00, reason="a bill"
    )
    db.flush()
    before = invoiced.stage_changed_at + COSTS_SETTLE - timedelta(minutes=1)
    after = before + timedelta(minutes=2)
    filters = ProfitFilters(kind=MarginKind.ACTUAL)

    kept = profit_reports.summary(db, filters, now=before)
    settled = profit_reports.summary(db, filters, now=after)

    assert kept == expected(db, filters, before)
    assert settled == expected(db, filters, after)
    assert settled.actual.jobs == kept.actual.jobs + 1


@pytest.mark.usefixtures("company")
def test_a_note_on_a_job_leaves_the_money_version_alone(db: Session) -> None:
    """The cache stays warm through edits the summary does not read."""
    repository = ProfitRepository(db, NOW)
    before = repository.version()
    job = db.scalars(sa.select(Job).order_by(Job.number)).first()
    assert job is not None
    job.description = "Bring the tall ladder"
    db.flush()

    assert repository.version() == before


@pytest.mark.usefixtures("company")
def test_a_kept_summary_sees_an_edit_committed_after_a_later_one(
    db: Session, is_postgres: bool
) -> None:
    """On PostgreSQL a transaction that flushed first may commit last: its rows carry an edit
    time older than the latest one already summed."""
    if not is_postgres:
        pytest.skip("SQLite's writers take turns: the latest edit is the latest commit")
    profit_reports.summary(db, ProfitFilters(), now=NOW)
    latest = db.scalar(sa.select(sa.func.max(JobFinancials.updated_at)))
    job_id = db.scalars(
        sa.select(JobFinancials.job_id)
        .join(Job, Job.id == JobFinancials.job_id)
        .where(JobFinancials.updated_at < latest, Job.stage.in_(SOLD_STAGES))
        .limit(1)
    ).one()
    # What the late transaction leaves: another figure, stamped before the latest edit.
    db.execute(
        sa.update(JobFinancials)
        .where(JobFinancials.job_id == job_id)
        .values(contract_cents=JobFinancials.contract_cents + 1_000_00, updated_at=latest)
    )

    assert profit_reports.summary(db, ProfitFilters(), now=NOW) == expected(db, ProfitFilters())
