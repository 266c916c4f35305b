"""The daily sweep: statuses follow the calendar, and each reminder step goes out at most once
per invoice, to a real local SMTP server, however often the sweep runs."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.composition import register_background_work
from roofops.config import get_settings
from roofops.db import session_factory, session_scope
from roofops.demo.repository import DemoRepository
from roofops.invoice.delivery import REMIND_TASK, SEND_TASK, company_today, invoice_delivery
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.invoice.status import refresh_status
from roofops.invoice.tasks import reminders
from roofops.kit.time import utcnow
from roofops.mail import Mail
from roofops.models import AuditLog, BackgroundJob, Invoice, InvoiceKind, InvoiceStatus, Job
from roofops.worker.cron import fires_within
from roofops.worker.registry import run_task
from tests.factories import make_job
from tests.smtp import SmtpServer


def issued(
    db: Session, principal: Principal, job: Job, *, days_overdue: int, paid: bool = False
) -> Invoice:
    """A deposit invoice e-mailed long enough ago to be ``days_overdue`` today."""
    terms = get_settings().invoice_payment_terms_days
    issue = company_today(db) - timedelta(days=terms + days_overdue)
    data = InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT, issue_date=issue)
    invoice = invoice_service.generate(db, principal, data)
    invoice.sent_at = utcnow()
    invoice.paid_cents = invoice.total_cents if paid else 0
    refresh_status(invoice, issue)  # as it stood when it went out
    db.flush()
    return invoice


def fresh(db: Session, invoice: Invoice) -> Invoice:
    found = db.get(Invoice, invoice.id, populate_existing=True)
    assert found is not None
    return found


def sweep(sessions: sessionmaker[Session]) -> None:
    invoice_delivery.sweep(sessions, get_settings())


def test_each_step_is_sent_once_as_the_days_pass(
    db: Session,
    session_maker: sessionmaker[Session],
    finance: Principal,
    retail_job: Job,
    mail_to_smtp: SmtpServer,
) -> None:
    invoice = issued(db, finance, retail_job, days_overdue=8)
    assert invoice.status == InvoiceStatus.SENT

    sweep(session_maker)
    sweep(session_maker)  # the same day again: nothing new

    [reminder] = mail_to_smtp.messages
    assert reminder["Subject"] == "Reminder: invoice 5003 is 8 days overdue"
    assert "$5,535.00 is still outstanding" in reminder.get_content()
    assert (fresh(db, invoice).status, fresh(db, invoice).reminders_sent) == (
        InvoiceStatus.OVERDUE,
        1,
    )

    invoice.due_date -= timedelta(days=30)  # 38 days late: the 14 and 30 day steps are both due
    db.flush()
    sweep(session_maker)
    sweep(session_maker)
    sweep(session_maker)

    assert len(mail_to_smtp.messages) == 3  # one per sweep until the steps ran out
    assert fresh(db, invoice).reminders_sent == 3
    history = [row.action for row in audit_service.history(db, "invoice", invoice.id)]
    assert history.count("invoice.reminder_sent") == 3


def test_paid_invoices_get_no_reminder_and_a_draft_is_never_overdue(
    db: Session,
    session_maker: sessionmaker[Session],
    finance: Principal,
    mail_to_smtp: SmtpServer,
) -> None:
    paid = issued(db, finance, make_job(db, contract_cents=1_000_000), days_overdue=40, paid=True)
    draft = issued(db, finance, make_job(db, contract_cents=1_000_000), days_overdue=40)
    draft.sent_at = None
    refresh_status(draft, company_today(db))
    db.flush()

    sweep(session_maker)

    assert mail_to_smtp.messages == []
    assert fresh(db, paid).status == InvoiceStatus.PAID
    assert fresh(db, draft).status == InvoiceStatus.DRAFT
    assert fresh(db, paid).reminders_sent == fresh(db, draft).reminders_sent == 0


def test_a_carrier_is_reminded_where_its_invoice_was_sent(
    db: Session,
    session_maker: sessionmaker[Session],
    finance: Principal,
    insurance_job: Job,
    mail_to_smtp: SmtpServer,
) -> None:
    terms = get_settings().invoice_payment_terms_days
    issue = company_today(db) - timedelta(days=terms + 10)
    data = InvoiceGenerate(
        job_id=insurance_job.id, kind=InvoiceKind.INSURANCE_ACV, issue_date=issue
    )
    acv = invoice_service.generate(db, finance, data)
    db.flush()
    invoice_delivery.prepare_send(db, finance, acv.id, "claims@granite.example")
    invoice_delivery.send(session_maker, acv.id, "claims@granite.example")

    sweep(session_maker)

    assert [m["To"] for m in mail_to_smtp.messages] == ["claims@granite.example"] * 2
    assert mail_to_smtp.messages[1]["Subject"].startswith("Reminder: invoice 7100")


def test_a_refused_reminder_is_retried_and_a_crash_after_recording_never_resends(
    db: Session,
    session_maker: sessionmaker[Session],
    finance: Principal,
    retail_job: Job,
    mail_to_smtp: SmtpServer,
) -> None:
    invoice = issued(db, finance, retail_job, days_overdue=8)
    mail_to_smtp.refuse_with = "451 Try again later"

    sweep(session_maker)  # refused outright: nothing went out, the step is given back

    assert fresh(db, invoice).reminders_sent == 0
    actions = [row.action for row in audit_service.history(db, "invoice", invoice.id)]
    assert actions[-1] == "invoice.reminder_failed"

    class Crashing:
        def send(self, mail: Mail) -> str:
            raise RuntimeError("the worker died here")

    with pytest.raises(RuntimeError):
        invoice_delivery.sweep(session_maker, get_settings(), mailer=lambda db: Crashing())
    mail_to_smtp.refuse_with = None
    sweep(session_maker)  # the step was recorded before the crash: at most once

    assert mail_to_smtp.messages == []
    assert fresh(db, invoice).reminders_sent == 1


def test_two_sweeps_racing_send_each_reminder_once(
    database_url: str, mail_to_smtp: SmtpServer, finance: Principal
) -> None:
    """Real transactions on the real database: two workers sweep at the same moment."""
    ids = _committed_overdue_invoices(database_url, finance, count=4)
    sessions = session_factory(database_url)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            sweep(sessions)
        except BaseException as failed:  # pragma: no cover - reported below
            errors.append(failed)

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert len(mail_to_smtp.messages) == 4
        assert len({m["To"] for m in mail_to_smtp.messages}) == 4
        with session_scope(database_url) as db:
            counts = db.scalars(sa.select(Invoice.reminders_sent).where(Invoice.id.in_(ids)))
            assert sorted(counts) == [1, 1, 1, 1]
    finally:
        _wipe(database_url, ids)


def test_the_registered_tasks_run_through_the_task_runner(
    database_url: str, mail_to_smtp: SmtpServer, finance: Principal
) -> None:
    """What a worker runs: the names registered by the composition root, their own sessions."""
    names = {spec.name for spec in register_background_work()}
    assert {SEND_TASK, REMIND_TASK} <= names
    [invoice_id] = _committed_overdue_invoices(database_url, finance, count=1)
    try:
        run_task(REMIND_TASK, {}, database_url=database_url)
        run_task(
            SEND_TASK,
            {"invoice_id": str(invoice_id), "to": "ap@example.com"},
            database_url=database_url,
        )
        reminder, sent = mail_to_smtp.messages
        assert reminder["Subject"].startswith("Reminder: invoice ")
        assert sent["Subject"].startswith("Invoice ")
        assert sent["To"] == "ap@example.com"
    finally:
        _wipe(database_url, [invoice_id])


def _committed_overdue_invoices(url: str, finance: Principal, count: int) -> list[uuid.UUID]:
    with session_scope(url) as db:
        jobs = [make_job(db, contract_cents=1_000_000) for _ in range(count)]
        return [issued(db, finance, job, days_overdue=9).id for job in jobs]


def _wipe(url: str, ids: list[uuid.UUID]) -> None:
    with session_scope(url) as db:
        db.execute(
            sa.delete(AuditLog).where(
                AuditLog.entity_type == "invoice", AuditLog.entity_id.in_([str(i) for i in ids])
            )
        )
        DemoRepository(db).wipe_business_data()


def test_the_schedule_is_read_in_the_company_time_zone(db: Session) -> None:
    denver = ZoneInfo("America/Denver")
    eight_local = datetime(2026, 7, 1, 8, 0, tzinfo=denver).astimezone(UTC)

    assert fires_within("0 8 * * *", denver, eight_local, timedelta(minutes=15))
    assert not fires_within(
        "0 8 * * *", denver, eight_local + timedelta(minutes=15), timedelta(minutes=15)
    )
    assert fires_within(
        "5 8 * * *", denver, eight_local + timedelta(minutes=15), timedelta(minutes=15)
    )
    assert not fires_within("0 8 * * *", ZoneInfo("UTC"), eight_local, timedelta(minutes=15))


def test_the_cron_queues_the_sweep_at_its_time_only(db: Session) -> None:
    zone = ZoneInfo(company_service.get(db).time_zone)
    local_eight = datetime(2026, 3, 3, 8, 0, tzinfo=zone).astimezone(UTC)

    reminders(db, local_eight - timedelta(minutes=15))
    reminders(db, local_eight)

    assert _queued(db, REMIND_TASK) == 1


def _queued(db: Session, name: str) -> int:
    if db.get_bind().dialect.name == "postgresql":
        statement = sa.text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :name")
        return int(db.scalar(statement, {"name": name}) or 0)
    count = sa.select(sa.func.count()).where(BackgroundJob.task_name == name)
    return db.scalar(count) or 0


def test_reminder_days_must_be_positive_and_rising() -> None:
    from pydantic import ValidationError

    from roofops.config import Settings

    assert Settings(invoice_reminder_days="7, 14,30").reminder_steps == (7, 14, 30)
    for bad in ("14,7", "0,7", "7,7", "a week"):
        with pytest.raises(ValidationError):
            Settings(invoice_reminder_days=bad)
