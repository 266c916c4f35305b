"""Every KPI of thirteen months against the same figure worked out here from the raw rows of
the demo company (tests/kpi/conftest.py): invoices, payments' balances, money snapshots, stage
events and forecast points, read with plain queries and summed in the test, never through the
KPI service or the reports it reuses. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.kpi.results import ExecutiveView, Grain, Period
from roofops.kpi.service import kpi_service
from roofops.models import JobStage, Role
from roofops.models.enums import AccountingDocStatus, Provider
from roofops.models.financials import AccountingInvoice, JobFinancials
from roofops.models.invoice import Invoice, InvoiceStatus
from roofops.models.job import Job, JobStageEvent
from roofops.report.service import finance_reports
from tests.kpi.conftest import AS_OF, FORECAST_MONTHS, FORECAST_P50, Company

OURS = "roofops"
BACKLOG = {"contract_signed", "materials_ordered", "scheduled", "in_production"}


def _view(company: Company, role: Role = Role.ADMIN) -> ExecutiveView:
    june = kpi_service.period_containing(AS_OF, Grain.MONTH)
    return kpi_service.view(company.db, role, june, AS_OF)


def _months(view: ExecutiveView) -> list[Period]:
    return [point.period for point in view.history["revenue"]]


def _values(view: ExecutiveView, key: str) -> list[float | None]:
    return [point.value for point in view.history[key]]


def _approx(values: list[float | None]) -> list[object]:
    return [None if value is None else pytest.approx(value) for value in values]


# ----- raw rows ------------------------------------------------------------------------------
def _counted_invoices(db: Session) -> list[tuple[date, int, int, str]]:
    """(dated, total, open, source) of every invoice that counts: the QuickBooks ones not
    voided or deleted, and ours issued (not draft or void) that no QuickBooks invoice is."""
    books = db.execute(
        sa.select(
            AccountingInvoice.txn_date,
            AccountingInvoice.total_cents,
            AccountingInvoice.balance_cents,
            AccountingInvoice.external_id,
            AccountingInvoice.doc_number,
        ).where(
            AccountingInvoice.provider == Provider.QUICKBOOKS,
            AccountingInvoice.status.in_([AccountingDocStatus.OPEN, AccountingDocStatus.PAID]),
        )
    ).all()
    every_books_row = db.execute(
        sa.select(AccountingInvoice.external_id, AccountingInvoice.doc_number).where(
            AccountingInvoice.provider == Provider.QUICKBOOKS
        )
    ).all()
    ids = {external_id for external_id, _ in every_books_row}
    numbers = {number for _, number in every_books_row}
    ours = db.scalars(
        sa.select(Invoice).where(Invoice.status.not_in([InvoiceStatus.DRAFT, InvoiceStatus.VOID]))
    ).all()
    return [(day, total, balance, "quickbooks") for day, total, balance, _, _ in books] + [
        (
            invoice.issue_date,
            invoice.total_cents,
            invoice.total_cents - invoice.paid_cents,
            "roofops",
        )
        for invoice in ours
        if invoice.number not in numbers
        and not (
            invoice.accounting_provider == Provider.QUICKBOOKS and invoice.accounting_id in ids
        )
        and invoice.issue_date is not None
    ]


def _moves(db: Session) -> dict[uuid.UUID, list[tuple[str, date]]]:
    zone = ZoneInfo(company_service.get(db).time_zone)
    moves: defaultdict[uuid.UUID, list[tuple[str, date]]] = defaultdict(list)
    for event in db.scalars(
        sa.select(JobStageEvent).order_by(JobStageEvent.occurred_at, JobStageEvent.recorded_at)
    ):
        moves[event.job_id].append(
            (event.to_stage.value, event.occurred_at.astimezone(zone).date())
        )
    return moves


def _first(moves: list[tuple[str, date]], stage: str) -> date | None:
    return next((day for to, day in moves if to == stage), None)


def _last(moves: list[tuple[str, date]], stage: str) -> date | None:
    return next((day for to, day in reversed(moves) if to == stage), None)


def _inside(period: Period, day: date | None) -> bool:
    return day is not None and period.start <= day <= period.end


# ----- the tests -----------------------------------------------------------------------------
def test_revenue_and_receivables_match_the_invoices(company: Company) -> None:
    view = _view(company)
    invoices = _counted_invoices(company.db)
    revenue = [
        float(sum(total for day, total, _, _ in invoices if _inside(month, day)))
        for month in _months(view)
    ]
    receivable = [
        float(sum(open_ for day, _, open_, _ in invoices if day <= month.end and open_))
        for month in _months(view)
    ]

    assert _values(view, "revenue") == _approx(revenue)
    assert _values(view, "ar") == _approx(receivable)
    assert sum(revenue) > 0
    assert receivable[-1] > 0
    june = next(value for value in view.values if value.key == "revenue")
    by_source: defaultdict[str, int] = defaultdict(int)
    for day, total, _, source in invoices:
        if _inside(june.period, day):
            by_source[source] += total
    assert june.source_shares == pytest.approx(
        {source: cents / sum(by_source.values()) for source, cents in by_source.items()}
    )


def test_close_rate_and_cycle_time_match_the_stage_history(company: Company) -> None:
    view = _view(company)
    moves = _moves(company.db)
    close_rates: list[float | None] = []
    cycle_times: list[float | None] = []
    for month in _months(view):
        won = sum(_inside(month, _first(m, "contract_signed")) for m in moves.values())
        lost = sum(
            _inside(month, lost_on := _last(m, "lost"))
            and ((signed := _first(m, "contract_signed")) is None or signed > lost_on)  # type: ignore[operator]
            for m in moves.values()
        )
        close_rates.append(won / (won + lost) * 100 if won + lost else None)
        days = [
            (completed - m[0][1]).days
            for m in moves.values()
            if _inside(month, completed := _first(m, "completed"))
        ]
        cycle_times.append(float(statistics.median(days)) if days else None)

    assert _values(view, "close_rate") == _approx(close_rates)
    assert _values(view, "cycle_time") == _approx(cycle_times)
    assert any(close_rates)
    assert any(cycle_times)


def test_backlog_is_the_contract_value_of_the_jobs_in_backlog_at_each_months_end(
    company: Company,
) -> None:
    view = _view(company)
    moves = _moves(company.db)
    contracts = dict(
        company.db.execute(
            sa.select(JobFinancials.job_id, JobFinancials.contract_cents)
            .join(Job, Job.id == JobFinancials.job_id)
            .where(Job.archived_at.is_(None))
        ).all()
    )

    def stage_on(job_moves: list[tuple[str, date]], day: date) -> str | None:
        before = [to for to, moved in job_moves if moved <= day]
        return before[-1] if before else None

    expected = [
        float(
            sum(
                contracts.get(job_id) or 0
                for job_id, job_moves in moves.items()
                if stage_on(job_moves, min(month.end, AS_OF)) in BACKLOG
            )
        )
        for month in _months(view)
    ]
    assert _values(view, "backlog") == _approx(expected)
    assert expected[-1] > 0


def test_gross_profit_and_margin_count_the_final_jobs_billed_in_each_month(
    company: Company,
) -> None:
    view = _view(company)
    moves = _moves(company.db)
    zone = ZoneInfo(company_service.get(company.db).time_zone)
    end_of_day = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time(), zone)
    rows = company.db.execute(
        sa.select(
            Job.id,
            Job.stage,
            Job.stage_changed_at,
            JobFinancials.cost_to_date_cents,
            JobFinancials.actual_revenue_cents,
            JobFinancials.actual_profit_cents,
        )
        .join(JobFinancials, JobFinancials.job_id == Job.id)
        .where(Job.stage.in_([JobStage.INVOICED, JobStage.PAID]))
    ).all()
    profits: list[float | None] = []
    margins: list[float | None] = []
    partial: list[bool] = []
    for month in _months(view):
        billed = [
            row
            for row in rows
            if _inside(month, _last(moves[row.id], "invoiced") or _last(moves[row.id], "paid"))
        ]
        final = [
            row
            for row in billed
            if row.cost_to_date_cents
            and (
                row.stage == JobStage.PAID
                or row.stage_changed_at <= end_of_day - timedelta(days=30)
            )
        ]
        profit = sum(row.actual_profit_cents for row in final)
        revenue = sum(row.actual_revenue_cents for row in final)
        profits.append(float(profit) if final else None)
        margins.append(profit / revenue * 100 if revenue else None)
        partial.append(len(final) < len(billed) or month.end >= AS_OF)

    assert _values(view, "gross_profit") == _approx(profits)
    assert _values(view, "margin") == _approx(margins)
    assert [point.partial for point in view.history["gross_profit"]] == partial
    assert any(profits), "the fixture costs some billed jobs"
    assert any(partial[:-1]), "and leaves others without costs: not final"


def test_gross_profit_shares_come_from_the_figures_sources(company: Company) -> None:
    view = _view(company)
    months = {
        point.period.start: point.value
        for point in view.history["gross_profit"]
        if point.value is not None
    }
    start = max(months)
    later = kpi_service.view(
        company.db, Role.FINANCE, kpi_service.period_containing(start, Grain.MONTH), AS_OF
    )
    shares = next(value for value in later.values if value.key == "gross_profit").source_shares

    assert sum(shares.values()) == pytest.approx(1)
    assert "quickbooks" in shares  # the books' invoices and costs


def test_revenue_against_the_forecast_made_before_each_month(company: Company) -> None:
    view = _view(company)
    revenue = dict(zip(_months(view), _values(view, "revenue"), strict=True))
    expected = [
        (revenue[month] or 0) / FORECAST_P50 * 100 if month.start in FORECAST_MONTHS else None
        for month in _months(view)
    ]
    assert _values(view, "forecast_vs_actual") == _approx(expected)


def test_depreciation_outstanding_is_the_reports_total_today_only(company: Company) -> None:
    view = _view(company)
    total = finance_reports.depreciation(company.db).total or {}
    held = int(total["held"] or 0) + int(total["released_unpaid"] or 0)  # type: ignore[call-overload]

    assert _values(view, "depreciation_outstanding") == [None] * 12 + [float(held)]
    assert held > 0


def test_a_role_without_money_sees_no_money_kpi(company: Company) -> None:
    dispatcher = _view(company, Role.DISPATCHER)
    finance = _view(company, Role.FINANCE)

    assert [value.key for value in dispatcher.values] == [
        "backlog_crew_days",
        "close_rate",
        "cycle_time",
    ]
    assert set(dispatcher.history) == {"backlog_crew_days", "close_rate", "cycle_time"}
    assert len(finance.values) == 10
    assert all(not value.source_shares for value in dispatcher.values)
