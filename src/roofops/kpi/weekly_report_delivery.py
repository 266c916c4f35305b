"""The weekly executive report by e-mail: each recipient gets each week at most once.

Each send is recorded (week, recipient) and committed *before* the mail is handed to the
server, as invoice reminders are: a second run of the same week (a retried job, a second tick,
a second process) finds the row and skips that recipient. A process that dies between the
two loses that one mail rather than sending it twice; the report can still be downloaded.
When the server refused the mail outright (nothing went out) the row is marked failed and the
next run for that week may take it again; a connection that broke mid-send counts as sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.service import user_service
from roofops.company.mailer import MailerFactory, company_mailer
from roofops.company.service import company_service
from roofops.config import Settings
from roofops.db import unit_of_work
from roofops.kit.schemas import normalized_email
from roofops.kit.time import utcnow
from roofops.kpi.results import Period
from roofops.kpi.weekly_report import render_weekly_report, report_filename
from roofops.kpi.weekly_report_repository import WeeklyReportDeliveryRepository
from roofops.logging import get_logger
from roofops.mail import Attachment, Mail, Mailer, MailFailed, MailNotSent
from roofops.models.enums import Role
from roofops.models.executive_report import ReportDeliveryStatus, WeeklyReportDelivery

log = get_logger(__name__)
SEND_TASK = "kpi.send_weekly_report"
DEFAULT_RECIPIENT_ROLES = frozenset({Role.ADMIN, Role.FINANCE})


@dataclass
class DeliveryOutcome:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already sent (or being sent) this week
    failed: list[str] = field(default_factory=list)


class WeeklyReportMail:
    def recipients(self, db: Session, settings: Settings) -> list[str]:
        """ROOFOPS_EXECUTIVE_REPORT_RECIPIENTS, else every active admin and finance user."""
        configured = [part for part in settings.executive_report_recipients.split(",") if part]
        if configured:
            return sorted({normalized_email(address) for address in configured})
        return sorted(
            user.email
            for user in user_service.list(db)
            if user.is_active and user.role in DEFAULT_RECIPIENT_ROLES
        )

    def send(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        week: Period,
        mailer: MailerFactory = company_mailer,
    ) -> DeliveryOutcome:
        """Render the week's report once and mail it to each recipient not yet sent it."""
        with unit_of_work(sessions, read_only=True) as db:
            recipients = self.recipients(db, settings)
            today = company_service.today(db)
            company = company_service.get(db).name
            pdf = render_weekly_report(db, week, today)
            outbound = mailer(db)
        outcome = DeliveryOutcome()
        for recipient in recipients:
            mail = _report_mail(company, week, recipient, pdf)
            _send_one(sessions, outbound, week.start, mail, outcome)
        log.info(
            "kpi.weekly_report.delivered",
            week=week.start.isoformat(),
            sent=len(outcome.sent),
            skipped=len(outcome.skipped),
            failed=len(outcome.failed),
        )
        return outcome

    def deliveries(self, db: Session, week_start: date) -> list[WeeklyReportDelivery]:
        return WeeklyReportDeliveryRepository(db).for_week(week_start)


def _send_one(
    sessions: sessionmaker[Session],
    outbound: Mailer,
    week_start: date,
    mail: Mail,
    outcome: DeliveryOutcome,
) -> None:
    with sessions.begin() as db:
        claimed = WeeklyReportDeliveryRepository(db).claim(week_start, mail.to, utcnow())
    if not claimed:
        outcome.skipped.append(mail.to)
        return
    try:  # after the commit: the delivery is recorded before the mail leaves
        outbound.send(mail)
    except MailFailed as failed:
        status = (
            ReportDeliveryStatus.FAILED
            if isinstance(failed, MailNotSent)
            else ReportDeliveryStatus.UNCERTAIN
        )
        log.warning("kpi.weekly_report.failed", to=mail.to, reason=failed.message)
        _settle(sessions, week_start, mail.to, status, error=failed.message)
        outcome.failed.append(mail.to)
        return
    _settle(sessions, week_start, mail.to, ReportDeliveryStatus.SENT)
    outcome.sent.append(mail.to)


def _settle(
    sessions: sessionmaker[Session],
    week_start: date,
    recipient: str,
    status: ReportDeliveryStatus,
    *,
    error: str = "",
) -> None:
    sent_at = utcnow() if status is ReportDeliveryStatus.SENT else None
    with sessions.begin() as db:
        WeeklyReportDeliveryRepository(db).settle(
            week_start, recipient, status, sent_at=sent_at, error=error
        )


def _report_mail(company: str, week: Period, recipient: str, pdf: bytes) -> Mail:
    span = f"{week.start:%b %d} to {week.end:%b %d, %Y}"
    body = (
        f"The weekly executive report of {company} for the week {span} is attached (PDF).\n\n"
        "Figures marked * are partial: their period is still running or they rest on jobs "
        "not yet closed. Each figure's definition and sources are at the end of the report; "
        "the same figures, live, are on the Executive page.\n"
    )
    return Mail(
        to=recipient,
        subject=f"{company}: weekly executive report, week of {week.start:%b %d, %Y}",
        body=body,
        attachments=(Attachment(report_filename(week), pdf),),
    )


weekly_report_mail = WeeklyReportMail()
