"""compute_trends on a real database: months bucketed by the right dates, partial months
marked, a non-final margin never shown, the month in progress left out."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from roofops.forecast.results import ForecastSeries, SeriesPoint
from roofops.forecast.trends import compute_trends
from roofops.models.enums import ActorType, JobStage
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus
from roofops.models.job import Job, JobStageEvent
from tests.factories import make_job

AS_OF = date(2026, 7, 15)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _job(db: Session, lead: date, **moves: date) -> Job:
    job = make_job(db, stage_changed_at=_at(lead), contract_cents=2_000_000)
    for stage, on in moves.items():
        db.add(
            JobStageEvent(
                job_id=job.id,
                to_stage=JobStage(stage),
                occurred_at=_at(on),
                recorded_at=_at(on),
                actor_type=ActorType.SYSTEM,
            )
        )
        job.stage, job.stage_changed_at = JobStage(stage), _at(on)
    db.flush()
    return job


def _invoice(
    db: Session, job: Job, issued: date, cents: int, *, status: InvoiceStatus, sequence: int
) -> None:
    db.add(
        Invoice(
            job_id=job.id,
            sequence=sequence,
            number=f"INV-{job.number}-{issued.isoformat()}",
            kind=InvoiceKind.FINAL,
            payer_kind=InvoicePayer.HOMEOWNER,
            payer_name="Owner",
            issue_date=issued,
            due_date=issued,
            total_cents=cents,
            status=status,
        )
    )
    db.flush()


def _by_key(series: tuple[ForecastSeries, ...]) -> dict[str, dict[date, SeriesPoint]]:
    return {s.key: {p.period_start: p for p in s.points} for s in series}


def test_months_are_bucketed_by_lead_signing_issue_and_completion(db: Session) -> None:
    _job(db, date(2025, 3, 10))
    _job(db, date(2026, 5, 2))
    done = _job(
        db,
        date(2026, 4, 20),
        contract_signed=date(2026, 5, 6),
        completed=date(2026, 6, 5),
    )
    _invoice(db, done, date(2026, 6, 8), 1_500_000, status=InvoiceStatus.SENT, sequence=1)
    _invoice(db, done, date(2026, 6, 9), 900_000, status=InvoiceStatus.VOID, sequence=2)
    _job(db, date(2026, 7, 1))  # the month in progress: not a figure yet

    trends = compute_trends(db, AS_OF)
    months = _by_key(trends)

    assert {s.key for s in trends} == {
        "trend.leads",
        "trend.sales",
        "trend.sales_value",
        "trend.revenue",
        "trend.margin",
        "trend.cycle_days",
    }
    leads = months["trend.leads"]
    assert min(leads) == date(2025, 3, 1)  # history starts at the first lead
    assert max(leads) == date(2026, 6, 1)  # July is in progress
    assert leads[date(2026, 5, 1)].actual == 1
    assert leads[date(2026, 4, 1)].actual == 1
    assert months["trend.sales"][date(2026, 5, 1)].actual == 1
    assert months["trend.sales_value"][date(2026, 5, 1)].actual == 2_000_000
    assert months["trend.revenue"][date(2026, 6, 1)].actual == 1_500_000
    assert months["trend.cycle_days"][date(2026, 6, 1)].actual == 30


def test_a_completed_job_without_final_figures_has_no_margin_and_marks_the_month_partial(
    db: Session,
) -> None:
    _job(db, date(2026, 1, 5), contract_signed=date(2026, 2, 1), completed=date(2026, 6, 5))

    june = _by_key(compute_trends(db, AS_OF))["trend.margin"][date(2026, 6, 1)]

    assert june.actual is None
    components = june.components
    assert components["partial"] is True
    assert components["open_jobs"] == 1
    assert components["final_jobs"] == 0
    assert components["anomaly"] is False


def test_no_history_gives_series_with_no_points(db: Session) -> None:
    trends = compute_trends(db, AS_OF)

    assert len(trends) == 6
    assert all(s.points == () for s in trends)
    assert all(s.definition and s.source for s in trends)


def test_a_job_billed_outside_roofops_counts_its_contract_when_it_moved_to_invoiced(
    db: Session,
) -> None:
    billed = _job(db, date(2026, 1, 5), contract_signed=date(2026, 2, 1), invoiced=date(2026, 5, 9))
    invoiced_here = _job(db, date(2026, 1, 5), invoiced=date(2026, 5, 12))
    _invoice(db, invoiced_here, date(2026, 5, 12), 700_000, status=InvoiceStatus.SENT, sequence=1)

    may = _by_key(compute_trends(db, AS_OF))["trend.revenue"][date(2026, 5, 1)]

    assert may.actual == (billed.contract_cents or 0) + 700_000
    assert may.components["jobs_billed_elsewhere"] == 1
