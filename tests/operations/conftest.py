"""A small day of operations: crews with work today in a published schedule, the viewers of
each role, and the real weather rules connected (stored forecasts decide, as in production)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.dispatch.service import dispatch_service
from roofops.field.service import field_service
from roofops.integrations.weather.outlook import ForecastOutlook
from roofops.kit.time import utcnow
from roofops.models import Crew, Job
from roofops.models.dispatch import (
    DispatchPlan,
    Phase,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
)
from roofops.models.enums import (
    ActorType,
    ConnectionStatus,
    Provider,
    Role,
    SyncKind,
    SyncRunStatus,
)
from roofops.models.integration import IntegrationConnection, SyncRun
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus
from tests.factories import make_user


def viewer(db: Session, role: Role) -> Principal:
    """A signed-in user of this role (a real row: reports and stage events name it)."""
    user = make_user(db, role=role)
    return Principal(user.id, user.email, user.full_name, role, ActorType.USER)


@pytest.fixture
def today(db: Session) -> date:
    """The company's day, as crews report on it."""
    return field_service.today(db)


@pytest.fixture
def weather_rules() -> Iterator[None]:
    """The forecast-reading outlook the app connects at start-up (not connected in unit tests)."""
    before = dispatch_service.weather
    dispatch_service.connect_weather(ForecastOutlook())
    yield
    dispatch_service.connect_weather(before)


def publish_schedule(
    db: Session, first: date, work: Sequence[tuple[Job, Crew | None, Sequence[date]]]
) -> DispatchPlan:
    """A published schedule: each job on its crew over its work days."""
    plan = DispatchPlan(
        kind=PlanKind.SCHEDULE,
        status=PlanStatus.PUBLISHED,
        horizon_start=first - timedelta(days=14),
        horizon_end=first + timedelta(days=14),
        trigger="optimize",
        published_at=utcnow(),
    )
    db.add(plan)
    db.flush()
    db.add_all(
        ScheduleEntry(
            plan_id=plan.id,
            job_id=job.id,
            phase=Phase.INSTALL,
            crew_id=crew.id if crew else None,
            starts_on=min(days),
            ends_on=max(days),
            work_days=[day.isoformat() for day in days],
        )
        for job, crew, days in work
    )
    db.flush()
    return plan


def working_every_day(crew: Crew) -> Crew:
    """Tests run on any weekday: the crew works all seven."""
    crew.working_weekdays = "1234567"
    return crew


def failed_sync(db: Session) -> None:
    """A connected JobNimbus whose last sync failed (an earlier one succeeded)."""
    db.add(IntegrationConnection(provider=Provider.JOBNIMBUS, status=ConnectionStatus.CONNECTED))
    older = utcnow() - timedelta(hours=3)
    for status, started, error in (
        (SyncRunStatus.SUCCEEDED, older, ""),
        (SyncRunStatus.FAILED, utcnow(), "JobNimbus answered 401: the API key was revoked"),
    ):
        db.add(
            SyncRun(
                provider=Provider.JOBNIMBUS,
                kind=SyncKind.INCREMENTAL,
                status=status,
                started_at=started,
                heartbeat_at=started,
                error=error,
            )
        )
    db.flush()


def open_invoice(db: Session, job: Job, *, total: int, paid: int, due: date) -> None:
    """A sent (or partly paid) invoice falling due on ``due``."""
    db.add(
        Invoice(
            job_id=job.id,
            sequence=1,
            number=f"{job.number}-{uuid.uuid4().hex[:6]}",
            kind=InvoiceKind.FINAL,
            payer_kind=InvoicePayer.HOMEOWNER,
            payer_name="Pat",
            issue_date=due - timedelta(days=30),
            due_date=due,
            total_cents=total,
            paid_cents=paid,
            status=InvoiceStatus.PARTIALLY_PAID if paid else InvoiceStatus.SENT,
        )
    )
    db.flush()
