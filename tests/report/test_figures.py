"""Each report's figures against sums worked out here from the raw rows the fixture inserted
(tests/report/conftest.py), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.exceptions import ValidationFailed
from roofops.financials.figures import margin_kind, ratio
from roofops.financials.queries import ProfitFilters
from roofops.financials.reports import profit_reports
from roofops.financials.service import financials_service
from roofops.kit.time import utcnow
from roofops.models import JobStage, MarginKind
from roofops.models.enums import AccountingDocStatus, ConnectionStatus, Provider
from roofops.models.financials import AccountingInvoice, JobFinancials
from roofops.models.integration import IntegrationConnection
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus, PushStatus
from roofops.report.periods import Comparison, period
from roofops.report.service import aging_bucket, finance_reports
from roofops.report.tables import Cell
from tests.factories import make_branch, make_crew, make_job
from tests.report.conftest import AS_OF, EDGES, QB, Books

PERIOD = period("2026-03", "2026-06", AS_OF)


def _counted_books(books: Books) -> list[AccountingInvoice]:
    return [
        row
        for row in books.books_invoices
        if row.provider == QB and row.status in (AccountingDocStatus.OPEN, AccountingDocStatus.PAID)
    ]


def _ours_not_in_books(books: Books, provider: Provider = QB) -> list[Invoice]:
    """Issued, and no books invoice of ``provider`` is it (by the push's id or by number)."""
    held = [row for row in books.books_invoices if row.provider == provider]
    return [
        invoice
        for invoice in books.ours
        if invoice.status not in (InvoiceStatus.VOID, InvoiceStatus.DRAFT)
        and not any(
            (invoice.accounting_provider == provider and invoice.accounting_id == row.external_id)
            or invoice.number == row.doc_number
            for row in held
        )
    ]


def _payer_of(books: Books, row: AccountingInvoice) -> str:
    for invoice in books.ours:
        if invoice.accounting_id == row.external_id or invoice.number == row.doc_number:
            return invoice.payer_kind.value
    return "other"


def _month(day: date | None) -> str:
    assert day is not None
    return f"{day.year:04d}-{day.month:02d}"


def _by_key(rows: Iterable[Mapping[str, Cell]], key: str) -> dict[str, Mapping[str, Cell]]:
    return {str(row[key]): row for row in rows}


def test_revenue_by_month_from_the_books_and_ours_not_in_them(db: Session, books: Books) -> None:
    invoiced_books: dict[str, int] = defaultdict(int)
    for row in _counted_books(books):
        invoiced_books[_month(row.txn_date)] += row.total_cents
    invoiced_ours: dict[str, int] = defaultdict(int)
    for invoice in _ours_not_in_books(books):
        invoiced_ours[_month(invoice.issue_date)] += invoice.total_cents
    collected: dict[str, int] = defaultdict(int)
    on_account: dict[str, int] = defaultdict(int)
    for payment, allocations in books.payments:
        if payment.provider == QB and not payment.deleted:
            collected[_month(payment.txn_date)] += sum(a.amount_cents for a in allocations)
            on_account[_month(payment.txn_date)] += payment.unapplied_cents

    report = finance_reports.revenue(db, PERIOD, Comparison.PREVIOUS)

    rows = _by_key(report.rows, "month")
    assert list(rows) == ["2026-03", "2026-04", "2026-05", "2026-06"]
    for month, row in rows.items():
        assert row["invoiced_books"] == invoiced_books[month], month
        assert row["invoiced_roofops"] == invoiced_ours[month], month
        assert row["invoiced"] == invoiced_books[month] + invoiced_ours[month]
        assert (row["collected"], row["on_account"]) == (collected[month], on_account[month])
        assert row["compared_invoiced"] == 0  # nothing before March
    # The split payment counted once, in full, in March: 5,000 + 2,000 dollars.
    assert rows["2026-03"]["collected"] == 700_000
    assert rows["2026-04"]["invoiced_roofops"] == 300_000  # the financing invoice only
    assert report.total is not None
    months = rows.keys()
    assert report.total["invoiced"] == sum(invoiced_books[m] + invoiced_ours[m] for m in months)
    assert report.total["collected"] == sum(collected[m] for m in months)


def test_the_comparison_is_the_previous_period_or_last_year(db: Session, books: Books) -> None:
    march = _by_key(finance_reports.revenue(db, PERIOD, Comparison.NONE).rows, "month")["2026-03"]
    later = period("2026-07", "2026-10", AS_OF)

    july = finance_reports.revenue(db, later, Comparison.PREVIOUS).rows[0]

    assert (july["month"], july["compared_month"]) == ("2026-07", "2026-03")
    assert july["compared_invoiced"] == march["invoiced"]
    assert july["invoiced"] == 40_000  # the invoice dated the day after AS_OF
    assert july["invoiced_change"] == 40_000 - int(march["invoiced"] or 0)

    next_year = finance_reports.revenue(  # March 2027 against March 2026
        db, period("2027-03", "2027-03", AS_OF), Comparison.LAST_YEAR
    )
    assert next_year.rows[0]["compared_month"] == "2026-03"
    assert next_year.rows[0]["compared_collected"] == 700_000
    assert "compared_month" not in finance_reports.revenue(db, PERIOD, Comparison.NONE).rows[0]


def test_ar_aging_by_payer_type_and_on_every_bucket_edge(db: Session, books: Books) -> None:
    expected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    items = [
        (_payer_of(books, row), row.due_date or row.txn_date, row.balance_cents, row.txn_date)
        for row in _counted_books(books)
    ] + [
        (i.payer_kind.value, i.due_date, i.total_cents - i.paid_cents, i.issue_date)
        for i in _ours_not_in_books(books)
    ]
    for payer, due, open_cents, dated in items:
        assert due is not None
        assert dated is not None
        if open_cents and dated <= AS_OF:
            days = (AS_OF - due).days
            bucket = (
                "current" if days <= 0 else "days_1_30" if days <= 30 else
                "days_31_60" if days <= 60 else "days_61_90" if days <= 90 else "days_over_90"
            )  # fmt: skip
            expected[payer][bucket] += open_cents
            expected[payer]["open"] += open_cents

    report = finance_reports.ar_aging(db, AS_OF)

    labels = {"insurance_carrier": "Insurance carrier", "financing": "Financing company"}
    labels |= {"other": "Other (raised in the books)", "homeowner": "Homeowner"}
    rows = _by_key(report.rows, "payer")
    assert set(rows) == {labels[payer] for payer in expected}
    for payer, figures in expected.items():
        for key in ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "open"):
            assert rows[labels[payer]][key] == figures[key], (payer, key)
    assert report.total is not None
    assert report.total["open"] == sum(figures["open"] for figures in expected.values())


def test_the_aging_buckets_edges() -> None:
    for days, bucket in EDGES.items():
        assert aging_bucket(days) == bucket, days


def test_without_books_our_issued_invoices_are_all_there_is(db: Session, books: Books) -> None:
    db.execute(sa.delete(IntegrationConnection))
    issued = [i for i in books.ours if i.status not in (InvoiceStatus.VOID, InvoiceStatus.DRAFT)]

    report = finance_reports.revenue(db, PERIOD, Comparison.NONE)

    assert report.total is not None
    assert report.total["invoiced_books"] == 0
    assert report.total["invoiced_roofops"] == sum(i.total_cents for i in issued)
    assert report.total["collected"] == 0


def test_wip_contract_billed_cost_and_over_under_billing(db: Session, books: Books) -> None:
    financials_service.set_manual(
        db, SYSTEM, books.acme.id, figure="materials", cents=500_000, reason="the shingles"
    )
    db.flush()
    money = db.get(JobFinancials, books.acme.id)
    assert money is not None
    billed = sum(r.total_cents for r in _counted_books(books) if r.job_id == books.acme.id)
    billed += sum(i.total_cents for i in _ours_not_in_books(books) if i.job_id == books.acme.id)

    report = finance_reports.wip(db)

    row = _by_key(report.rows, "job")["5003"]
    assert row["billed"] == billed == 200_000 + 300_000 + 123_400
    assert row["contract"] == 2_000_000
    assert row["cost_to_date"] == 500_000
    projected = money.projected_cost_cents
    assert projected is not None
    assert row["projected_cost"] == projected
    earned = round(2_000_000 * round(500_000 / projected, 4))
    assert row["earned"] == earned
    assert (row["over_billed"], row["under_billed"]) == (
        max(billed - earned, 0),
        max(earned - billed, 0),
    )
    assert "7100" in _by_key(report.rows, "job")  # completed, not final: still open work


def test_depreciation_held_and_released_but_unpaid(db: Session, books: Books) -> None:
    report = finance_reports.depreciation(db)
    held = _by_key(report.rows, "job")["7100"]
    assert (held["status"], held["held"], held["released_unpaid"]) == ("held", 250_000, 0)

    release = Invoice(
        job_id=books.claim.id, sequence=2, number="7100-2",
        kind=InvoiceKind.DEPRECIATION_RELEASE, payer_kind=InvoicePayer.INSURANCE_CARRIER,
        payer_name="Granite State Mutual", issue_date=date(2026, 6, 1),
        due_date=date(2026, 7, 1), total_cents=250_000, paid_cents=0,
        status=InvoiceStatus.SENT, push_status=PushStatus.PUSHED,
        accounting_provider=QB, accounting_id="qb-dep",
    )  # fmt: skip
    db.add(release)
    db.add(
        AccountingInvoice(
            provider=QB, external_id="qb-dep", doc_number="7100-2", job_id=books.claim.id,
            txn_date=date(2026, 6, 1), due_date=date(2026, 7, 1), total_cents=250_000,
            balance_cents=100_000, status=AccountingDocStatus.OPEN,
        )
    )  # fmt: skip
    db.flush()

    released = _by_key(finance_reports.depreciation(db).rows, "job")["7100"]
    assert (released["status"], released["held"]) == ("released, unpaid", 0)
    assert released["released_unpaid"] == 100_000  # the books' balance, not ours

    paid = db.scalar(sa.select(AccountingInvoice).where(AccountingInvoice.external_id == "qb-dep"))
    assert paid is not None
    paid.balance_cents, paid.status = 0, AccountingDocStatus.PAID
    db.flush()
    assert "7100" not in _by_key(finance_reports.depreciation(db).rows, "job")


def test_a_period_is_checked() -> None:
    for since, until in (
        ("2026-13", None),
        ("2026-05", "2026-04"),
        ("2020-01", "2026-01"),
        ("26-1", None),
    ):
        with pytest.raises(ValidationFailed):
            period(since, until, AS_OF)
    twelve_months = period(None, None, AS_OF)
    assert (twelve_months.first.label, twelve_months.last.label) == ("2025-07", "2026-06")


def test_margins_by_group_never_mix_actual_and_projected(db: Session) -> None:
    paid = JobStage.PAID
    north, south = make_branch(db, name="North"), make_branch(db, name="South")
    crew = make_crew(db, branch=north)
    jobs = [
        make_job(db, stage=paid, branch=north, sales_rep="Ana", contract_cents=1_000_000),
        make_job(db, stage=paid, branch=south, sales_rep="Ana", contract_cents=2_000_000),
        make_job(
            db, stage=JobStage.SCHEDULED, branch=north, sales_rep="Bo", contract_cents=900_000
        ),
        make_job(db, stage=JobStage.ESTIMATE, branch=north, sales_rep="Bo", contract_cents=500_000),
    ]
    jobs[0].crew_id = jobs[2].crew_id = crew.id
    for job, labor in zip(jobs, (600_000, 1_500_000, 100_000, 0), strict=True):
        if labor:
            financials_service.set_manual(
                db, SYSTEM, job.id, figure="labor", cents=labor, reason="payroll"
            )
    db.flush()
    now = utcnow()
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for job in jobs:
        money = db.get(JobFinancials, job.id)
        assert money is not None
        kind = margin_kind(job.stage, job.stage_changed_at, money.cost_to_date_cents, now)
        if kind == MarginKind.NONE:
            continue  # not sold: in no margin
        actual = kind == MarginKind.ACTUAL
        revenue = money.actual_revenue_cents if actual else money.projected_revenue_cents
        profit = money.actual_profit_cents if actual else money.projected_profit_cents
        assert revenue is not None
        assert profit is not None
        sums = expected[(job.sales_rep, kind.value)]
        sums[0] += 1
        sums[1] += revenue
        sums[2] += revenue - profit
        sums[3] += profit

    report = finance_reports.margins(db, period(None, None, now.date()))

    by_rep = {
        (str(row["group"]), str(row["kind"])): row
        for row in report.rows
        if row["grouping"] == "Sales rep"
    }
    assert set(by_rep) == set(expected) == {("Ana", "actual"), ("Bo", "projected")}
    for key, (count, revenue, cost, profit) in expected.items():
        row = by_rep[key]
        assert (row["jobs"], row["revenue"], row["cost"], row["profit"]) == (
            count,
            revenue,
            cost,
            profit,
        )
        assert row["margin"] == ratio(profit, revenue)
    by_branch = {(row["group"], row["kind"]) for row in report.rows if row["grouping"] == "Branch"}
    assert by_branch == {
        (north.name, "actual"),
        (south.name, "actual"),
        (north.name, "projected"),
    }
    crews = [row for row in report.rows if row["grouping"] == "Crew" and row["group"] == crew.name]
    assert {row["kind"] for row in crews} == {"actual", "projected"}
    overall = {row["kind"]: row for row in report.rows if row["grouping"] == "All"}
    assert overall["actual"]["jobs"] == 2
    assert overall["actual"]["profit"] == expected[("Ana", "actual")][3]


def test_a_claim_invoiced_in_full_in_the_books_is_released_there(db: Session, books: Books) -> None:
    """No release of ours: the books' invoices of the job reach the RCV, so the depreciation
    was invoiced there; what the job still has open in the books (up to it) is owed."""
    rcv = books.claim.rcv_cents
    assert rcv is not None
    billed = sum(r.total_cents for r in _counted_books(books) if r.job_id == books.claim.id)
    remainder = AccountingInvoice(
        provider=QB, external_id="qb-rest", doc_number="B-7100", job_id=books.claim.id,
        txn_date=date(2026, 6, 1), due_date=date(2026, 7, 1), total_cents=rcv - billed,
        balance_cents=400_000, status=AccountingDocStatus.OPEN,
    )  # fmt: skip
    db.add(remainder)
    db.flush()
    job_open = sum(
        r.balance_cents for r in [*_counted_books(books), remainder] if r.job_id == books.claim.id
    )

    row = _by_key(finance_reports.depreciation(db).rows, "job")["7100"]

    assert row["status"] == "released in the books, unpaid"
    assert row["held"] == 0
    assert row["released_unpaid"] == min(250_000, job_open) == 250_000

    remainder.balance_cents = 30_000
    db.flush()
    row = _by_key(finance_reports.depreciation(db).rows, "job")["7100"]
    assert row["released_unpaid"] == 200_000 + 30_000  # the ACV's 2,000 still open, and this

    for invoice in (remainder, *_counted_books(books)):
        if invoice.job_id == books.claim.id:
            invoice.balance_cents = 0
    db.flush()
    assert "7100" not in _by_key(finance_reports.depreciation(db).rows, "job")


def test_the_books_are_the_system_that_holds_them(db: Session, books: Books) -> None:
    """Xero connected (QuickBooks gone): Xero's invoices are the books and QuickBooks' count
    nowhere; a failed connection still holds the books until someone reconnects."""
    connections = {row.provider: row for row in db.scalars(sa.select(IntegrationConnection))}
    connections[QB].status = ConnectionStatus.DISCONNECTED
    connections[Provider.XERO].status = ConnectionStatus.FAILED
    db.flush()
    xero = [r for r in books.books_invoices if r.provider == Provider.XERO]

    report = finance_reports.revenue(db, PERIOD, Comparison.NONE)

    assert report.total is not None
    assert report.total["invoiced_books"] == sum(r.total_cents for r in xero)
    assert report.total["collected"] == 45_600  # the Xero payment, not QuickBooks'
    assert "Xero" in report.source
    # Our invoices QuickBooks held are not in Xero's books: they count as ours now.
    ours = _ours_not_in_books(books, Provider.XERO)
    assert report.total["invoiced_roofops"] == sum(i.total_cents for i in ours)


def test_wip_ends_with_the_final_bill(db: Session, books: Books) -> None:
    """An invoiced or paid job is no longer work in progress, even while its margin is still
    projected (the books do not hold its final figures yet)."""
    books.claim.stage = JobStage.INVOICED
    db.flush()
    projected = profit_reports.rows(db, ProfitFilters(kind=MarginKind.PROJECTED))
    assert "7100" in {row.job.number for row in projected}  # the filter is what keeps it out

    rows = _by_key(finance_reports.wip(db).rows, "job")

    assert "7100" not in rows
    assert "5003" in rows  # in production
