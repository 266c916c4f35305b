"""Telling crews and customers what a published plan changed: once per plan, never twice.

Publishing calls :func:`notify_plan_published` inside its own transaction. It writes the
``dispatch_plan.notifications_queued`` audit row and queues one ``dispatch.notify`` job per
message in that same transaction (the worker outbox): a publish that rolls back queues nothing,
and a second call for the same plan finds the row and queues nothing again.

Each message is composed at publish time and carried in the job, so a later plan cannot change
what this one says. The job records ``dispatch_plan.notification_sent`` under the plan's row
lock and commits *before* handing the mail to the server (as invoice reminders do): a job run
twice finds the row and skips, and a process that dies in between loses that message rather
than sending it twice. A refused or unconfigured mail is audited with its reason.

Crews are reached through their lead's e-mail: the active crew_lead user the crew names as its
lead (:mod:`roofops.dispatch.crew_leads`). A crew whose lead has no account is audited as
"not notified" with its phone number, so the dispatcher can call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service, change
from roofops.auth.principal import SYSTEM
from roofops.company.mailer import MailerFactory, company_mailer, mailer_or_reason
from roofops.company.service import company_service
from roofops.dispatch.changes import VISIT_PHASE, Placement, WorkChange
from roofops.dispatch.crew_leads import lead_emails
from roofops.dispatch.field_repository import FieldRepository, JobContact
from roofops.logging import get_logger
from roofops.mail import Mail, MailFailed
from roofops.worker.queue import enqueue

log = get_logger(__name__)
NOTIFY_TASK = "dispatch.notify"
QUEUED = "dispatch_plan.notifications_queued"
SENT = "dispatch_plan.notification_sent"
FAILED = "dispatch_plan.notification_failed"
NOT_REACHABLE = "dispatch_plan.notification_skipped"
ENTITY = "dispatch_plan"
PHASE_WORDS = {"install": "roof install", "gutters": "gutter work", VISIT_PHASE: "visit"}


@dataclass(frozen=True)
class Notice:
    key: str  # who, in this plan: "crew:<id>" or "customer:<job id>"
    to: str
    subject: str
    body: str


def notify_plan_published(db: Session, plan_id: uuid.UUID) -> None:
    """The publish hook: queue the plan's notifications, once (see the module docstring)."""
    queue_notifications(db, plan_id)


def queue_notifications(db: Session, plan_id: uuid.UUID) -> int:
    """Queue the published plan's notifications, once: how many were queued (0 the second
    time). Call inside the publishing transaction; it only flushes."""
    repository = FieldRepository(db)
    plan = repository.plan(plan_id, lock=True)
    if any(row.action == QUEUED for row in audit_service.history(db, ENTITY, plan_id)):
        return 0
    notices = _notices(db, repository, plan_id)
    audit_service.record(
        db,
        SYSTEM,
        action=QUEUED,
        entity_type=ENTITY,
        entity_id=plan.id,
        changes={"recipients": change(None, [notice.key for notice in notices])},
    )
    for notice in notices:
        enqueue(db, NOTIFY_TASK, plan_id=str(plan_id), **notice.__dict__)
    return len(notices)


def send_notice(
    sessions: sessionmaker[Session],
    plan_id: uuid.UUID,
    notice: Notice,
    mailer: MailerFactory = company_mailer,
) -> bool:
    """The background half: record, commit, then send; False when it was skipped or failed."""
    with sessions.begin() as db:
        FieldRepository(db).plan(plan_id, lock=True)  # serializes two runs of the same job
        if _already_sent(db, plan_id, notice.key):
            return False
        outbound = mailer_or_reason(db, mailer)
        action = SENT if not isinstance(outbound, str) else FAILED
        _audit(db, plan_id, action, notice, outbound if isinstance(outbound, str) else "")
    if isinstance(outbound, str):
        return False
    try:
        outbound.send(Mail(to=notice.to, subject=notice.subject, body=notice.body))
    except MailFailed as failed:
        with sessions.begin() as db:
            _audit(db, plan_id, FAILED, notice, failed.message)
        return False
    return True


def _already_sent(db: Session, plan_id: uuid.UUID, key: str) -> bool:
    return any(
        row.action in (SENT, FAILED) and row.changes.get("key", {}).get("new") == key
        for row in audit_service.history(db, ENTITY, plan_id)
    )


def _audit(db: Session, plan_id: uuid.UUID, action: str, notice: Notice, reason: str) -> None:
    if reason:
        log.warning("dispatch.notification.failed", plan=str(plan_id), to=notice.to, reason=reason)
    audit_service.record(
        db,
        SYSTEM,
        action=action,
        entity_type=ENTITY,
        entity_id=plan_id,
        changes={"key": change(None, notice.key), "to": change(None, notice.to)},
        reason=reason,
    )


# ----- composing -----------------------------------------------------------------------------


def _notices(db: Session, repository: FieldRepository, plan_id: uuid.UUID) -> list[Notice]:
    changes = repository.published_changes(plan_id)
    contacts = repository.job_contacts({change.job_id for change in changes})
    company = company_service.get(db).name
    notices: list[Notice] = []
    for crew_id in sorted({crew for c in changes for crew in c.crews}, key=str):
        crew = repository.crew(crew_id)
        own = [c for c in changes if crew_id in c.crews]
        emails = lead_emails(repository, crew)
        if not emails:
            _audit_unreachable(db, plan_id, crew.name, crew.phone)
        notices.extend(_crew_notice(crew_id, crew.name, to, own, contacts) for to in emails)
    for change_ in changes:
        contact = contacts[change_.job_id]
        if change_.moves_the_customer and contact.customer_email:
            notices.append(_customer_notice(change_, contact, company))
    return notices


def _audit_unreachable(db: Session, plan_id: uuid.UUID, crew_name: str, phone: str) -> None:
    call = f"call {phone}" if phone else "no phone on file either"
    audit_service.record(
        db,
        SYSTEM,
        action=NOT_REACHABLE,
        entity_type=ENTITY,
        entity_id=plan_id,
        reason=f"crew {crew_name}: its lead has no crew_lead account with an e-mail ({call})",
    )


def _crew_notice(
    crew_id: uuid.UUID,
    crew_name: str,
    to: str,
    changes: Iterable[WorkChange],
    contacts: dict[uuid.UUID, JobContact],
) -> Notice:
    lines = [_crew_line(crew_id, change_, contacts[change_.job_id]) for change_ in changes]
    body = "\n".join(
        [
            f"The schedule of {crew_name} changed:",
            "",
            *lines,
            "",
            "Please acknowledge the change in roofops (Dispatch).",
        ]
    )
    return Notice(f"crew:{crew_id}:{to}", to, f"Schedule change for {crew_name}", body)


def _crew_line(crew_id: uuid.UUID, change_: WorkChange, contact: JobContact) -> str:
    what = f"{contact.number} {PHASE_WORDS.get(change_.phase, change_.phase)} at {contact.address}"
    after = change_.after if change_.after and change_.after.crew_id == crew_id else None
    if after is None:
        return f"- {what}: no longer yours"
    if change_.before is None or change_.before.crew_id != crew_id:
        return f"- {what}: new, {when(after)}"
    return f"- {what}: moved to {when(after)} (was {when(change_.before)})"


def customer_news(change_: WorkChange) -> str:
    """What a change means to the homeowner, as the e-mail and the customer portal say it."""
    work = PHASE_WORDS.get(change_.phase, change_.phase)
    if change_.after is None:
        return f"your {work} is no longer on our schedule; we will call you with a new date"
    if change_.before is None:
        return f"your {work} is scheduled for {when(change_.after)}"
    return f"your {work} moved to {when(change_.after)} (it was {when(change_.before)})"


def _customer_notice(change_: WorkChange, contact: JobContact, company: str) -> Notice:
    work = PHASE_WORDS.get(change_.phase, change_.phase)
    body = "\n".join(
        [
            f"Dear {contact.customer_name},",
            "",
            f"For job {contact.number} at {contact.address}: {customer_news(change_)}.",
            "",
            "Questions? Reply to this e-mail or call our office.",
            "",
            company,
        ]
    )
    subject = f"{company}: your {work} for job {contact.number}"
    key = f"customer:{change_.job_id}:{change_.phase}"
    return Notice(key, contact.customer_email, subject, body)


def when(placement: Placement) -> str:
    """'Mon Dec 7', 'Mon Dec 7 to Wed Dec 9', or 'Mon Dec 7 at about 10:30'."""
    first = _day(placement.starts_on)
    if placement.start_minute is not None:
        hours, minutes = divmod(placement.start_minute, 60)
        return f"{first} at about {hours}:{minutes:02d}"
    if placement.ends_on == placement.starts_on:
        return first
    return f"{first} to {_day(placement.ends_on)}"


def _day(on: date) -> str:
    return f"{on:%a %b} {on.day}"
