"""Each alert rule, and who sees which alert (integrations, money)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.integrations.weather.repository import ForecastRepository
from roofops.kit.time import utcnow
from roofops.models.enums import (
    JobStage,
    Priority,
    Provider,
    Role,
    SyncKind,
    SyncRunStatus,
)
from roofops.models.integration import SyncRun
from roofops.models.job import Job
from roofops.operations.results import Alert, AlertKind, Severity
from roofops.operations.service import operations_service
from tests.factories import make_crew, make_job, make_job_forecast, make_requirements
from tests.operations.conftest import (
    failed_sync,
    open_invoice,
    publish_schedule,
    viewer,
    working_every_day,
)


def alerts(db: Session, who: Principal, day: date, kind: AlertKind) -> list[Alert]:
    return [a for a in operations_service.snapshot(db, who, day).alerts if a.kind == kind]


@pytest.fixture
def admin(db: Session) -> Principal:
    return viewer(db, Role.ADMIN)


def forecast(on: date, **changes: Any) -> dict[str, Any]:
    mild = {
        "precipitation_mm": 0.0,
        "precipitation_probability": 5,
        "wind_max_mph": 8.0,
        "gust_max_mph": 15.0,
        "temp_min_f": 45.0,
        "temp_max_f": 62.0,
    }
    # The factories' properties are in Denver.
    place = {"latitude": 39.74, "longitude": -104.99, "source": "open-meteo"}
    return {**place, "on": on, **mild, **changes, "fetched_at": utcnow()}


@pytest.mark.usefixtures("weather_rules")
def test_rain_on_work_scheduled_today_is_critical_and_tomorrow_a_warning(
    db: Session, today: date, admin: Principal
) -> None:
    tomorrow = today + timedelta(days=1)
    crew = working_every_day(make_crew(db))
    wet_today = make_job(db, stage=JobStage.SCHEDULED, number="W-TODAY")
    wet_tomorrow = make_job(db, stage=JobStage.SCHEDULED, number="W-TOMORROW")
    both_days = make_job(db, stage=JobStage.IN_PRODUCTION, number="W-BOTH")
    publish_schedule(
        db,
        today,
        [
            (wet_today, crew, [today]),
            (wet_tomorrow, crew, [tomorrow]),
            (both_days, make_crew(db), [today, tomorrow]),
        ],
    )
    ForecastRepository(db).upsert(
        [
            forecast(today, precipitation_probability=85),
            forecast(tomorrow, precipitation_probability=90),
        ]
    )

    raised = alerts(db, admin, today, AlertKind.WEATHER)
    assert sorted(a.title for a in raised if a.job_id == both_days.id) == [
        "W-BOTH: rain 85 % today",
        "W-BOTH: rain 90 % tomorrow",
    ]
    found = {a.job_id: a for a in raised if a.job_id != both_days.id}
    assert len(found) == 2
    assert found[wet_today.id].severity == Severity.CRITICAL
    assert found[wet_today.id].title == "W-TODAY: rain 85 % today"
    assert found[wet_tomorrow.id].severity == Severity.WARNING
    assert found[wet_tomorrow.id].title == "W-TOMORROW: rain 90 % tomorrow"
    assert found[wet_today.id].link == "/dispatch"


@pytest.mark.usefixtures("weather_rules")
def test_dry_days_raise_no_weather_alert(db: Session, today: date, admin: Principal) -> None:
    job = make_job(db, stage=JobStage.SCHEDULED)
    publish_schedule(db, today, [(job, working_every_day(make_crew(db)), [today])])
    ForecastRepository(db).upsert([forecast(today)])
    assert alerts(db, admin, today, AlertKind.WEATHER) == []


def _succeeded_run(db: Session, job: Job, finish_p90: date) -> None:
    band = (finish_p90 - timedelta(days=10), finish_p90 - timedelta(days=5), finish_p90)
    make_job_forecast(db, job, finish=band, as_of=finish_p90 - timedelta(days=30))


def test_late_jobs_past_their_promise_plan_or_forecast(
    db: Session, today: date, admin: Principal
) -> None:
    yesterday = today - timedelta(days=1)
    promised = make_job(db, stage=JobStage.MATERIALS_ORDERED, number="L-PROMISE")
    make_requirements(db, promised, promised_by=today - timedelta(days=3))
    overran = make_job(db, stage=JobStage.IN_PRODUCTION, number="L-PLAN")
    publish_schedule(db, today, [(overran, working_every_day(make_crew(db)), [yesterday])])
    forecast_late = make_job(db, stage=JobStage.IN_PRODUCTION, number="L-FORECAST")
    _succeeded_run(db, forecast_late, yesterday)
    on_time = make_job(db, stage=JobStage.IN_PRODUCTION, number="L-ON-TIME")
    make_requirements(db, on_time, promised_by=today + timedelta(days=5))
    finished = make_job(db, stage=JobStage.COMPLETED, number="L-DONE")
    make_requirements(db, finished, promised_by=today - timedelta(days=3))

    found = {a.job_id: a for a in alerts(db, admin, today, AlertKind.LATE)}
    assert set(found) == {promised.id, overran.id, forecast_late.id}
    assert found[promised.id].severity == Severity.CRITICAL
    assert "promised to the customer by" in found[promised.id].detail
    assert "(3 days ago)" in found[promised.id].detail
    assert found[overran.id].severity == Severity.WARNING
    assert "planned work ended" in found[overran.id].detail
    assert "forecast to finish by (p90)" in found[forecast_late.id].detail
    assert found[overran.id].link == f"/jobs/{overran.id}"


def test_urgent_work_without_a_crew_is_critical(db: Session, today: date, admin: Principal) -> None:
    nobody = make_job(db, stage=JobStage.CONTRACT_SIGNED, number="U-NOBODY")
    placed = make_job(db, stage=JobStage.CONTRACT_SIGNED, number="U-PLACED")
    normal = make_job(db, stage=JobStage.CONTRACT_SIGNED, number="U-NORMAL")
    lead = make_job(db, stage=JobStage.LEAD, number="U-LEAD")  # a sales lead: no crew work yet
    for job in (nobody, placed, lead):
        job.priority = Priority.URGENT
    publish_schedule(db, today, [(placed, make_crew(db), [today + timedelta(days=2)])])

    found = alerts(db, admin, today, AlertKind.UNASSIGNED)
    assert [a.job_id for a in found] == [nobody.id]
    assert found[0].severity == Severity.CRITICAL
    assert normal.id not in {a.job_id for a in found}


def test_a_failed_sync_is_shown_to_those_who_may_see_integrations_only(
    db: Session, today: date
) -> None:
    failed_sync(db)
    (alert,) = alerts(db, viewer(db, Role.OFFICE), today, AlertKind.SYNC_FAILED)
    assert alert.title == "JobNimbus sync failed"
    assert "API key was revoked" in alert.detail
    assert alert.link == "/settings/integrations"
    assert alerts(db, viewer(db, Role.DISPATCHER), today, AlertKind.SYNC_FAILED) == []


def test_a_later_successful_sync_clears_the_alert(db: Session, today: date) -> None:
    failed_sync(db)
    db.add(
        SyncRun(
            provider=Provider.JOBNIMBUS,
            kind=SyncKind.INCREMENTAL,
            status=SyncRunStatus.SUCCEEDED,
            started_at=utcnow() + timedelta(minutes=1),
            heartbeat_at=utcnow(),
        )
    )
    db.flush()
    assert alerts(db, viewer(db, Role.ADMIN), today, AlertKind.SYNC_FAILED) == []


def test_overdue_invoices_are_counted_for_all_and_summed_for_money_roles(
    db: Session, today: date
) -> None:
    job = make_job(db, stage=JobStage.INVOICED)
    open_invoice(db, job, total=1_250_000, paid=250_000, due=today - timedelta(days=10))
    open_invoice(
        db,
        make_job(db, stage=JobStage.INVOICED),
        total=500_000,
        paid=0,
        due=today - timedelta(days=1),
    )
    open_invoice(
        db, make_job(db, stage=JobStage.INVOICED), total=700_000, paid=0, due=today
    )  # due today

    (for_finance,) = alerts(db, viewer(db, Role.FINANCE), today, AlertKind.OVERDUE_INVOICE)
    assert for_finance.title == "2 invoices overdue"
    assert for_finance.amount_cents == 1_500_000
    assert for_finance.link == "/invoices?status=overdue"
    (for_crew_lead,) = alerts(db, viewer(db, Role.CREW_LEAD), today, AlertKind.OVERDUE_INVOICE)
    assert for_crew_lead.title == "2 invoices overdue"
    assert for_crew_lead.amount_cents is None


def test_alerts_come_most_severe_first(db: Session, today: date, admin: Principal) -> None:
    make_job(db, stage=JobStage.SCHEDULED).priority = Priority.URGENT
    open_invoice(
        db, make_job(db, stage=JobStage.INVOICED), total=1000, paid=0, due=today - timedelta(days=2)
    )
    severities = [a.severity for a in operations_service.snapshot(db, admin, today).alerts]
    assert severities == sorted(
        severities, key=[Severity.CRITICAL, Severity.WARNING, Severity.INFO].index
    )
    assert severities[0] == Severity.CRITICAL
