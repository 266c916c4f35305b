"""Invoices by e-mail: sending one (in the background) and the daily overdue reminders.

Sending: the request checks what can be checked at once (not void, a recipient, mail set up),
audits the request and queues ``invoice.send``; the task mails the PDF and records ``sent_at``
and the status, or audits why it failed (the status stays). The outcome of every attempt is
in the invoice's history (``deliveries``), never only in a log.

Reminders go out **at most once** per invoice and step. The step is recorded under the
invoice's row lock and committed *before* the mail is handed to the server; a racing sweep
reads the recorded step under the same lock and skips it. A process that dies between the two
loses that reminder rather than sending it twice: a missing reminder is noticed on the overdue
list and sent by hand, while a payer who gets the same dunning letter twice loses trust in the
other invoices. When the server refused the mail outright (nothing went out) the step is
released again, so tomorrow's sweep retries it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service, change
from roofops.auth.principal import SYSTEM, Principal
from roofops.company.mailer import MailerFactory, company_mailer, mailer_or_reason
from roofops.company.service import company_service
from roofops.config import Settings, get_settings
from roofops.db import unit_of_work
from roofops.exceptions import Conflict, NotFound
from roofops.invoice.amounts import dollars
from roofops.invoice.repository import InvoiceRepository
from roofops.invoice.service import company_today, invoice_service, site_address
from roofops.invoice.status import refresh_status
from roofops.kit.schemas import normalized_email
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.mail import Attachment, Mail, Mailer, MailFailed, MailNotSent
from roofops.models.audit import AuditLog
from roofops.models.invoice import Invoice, InvoicePayer, InvoiceStatus
from roofops.worker.queue import enqueue

log = get_logger(__name__)
SEND_TASK = "invoice.send"
REMIND_TASK = "invoice.remind"
# Audit actions that make an invoice's delivery history.
DELIVERY_ACTIONS = (
    "invoice.send_requested",
    "invoice.sent",
    "invoice.send_failed",
    "invoice.reminder_sent",
    "invoice.reminder_failed",
)
# Statuses the sweep refreshes: every invoice whose standing can still move with the calendar.
UNSETTLED = (
    InvoiceStatus.DRAFT,
    InvoiceStatus.SENT,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.OVERDUE,
)


@dataclass(frozen=True)
class SendRequested:
    invoice: Invoice
    to: str


@dataclass(frozen=True)
class SweepResult:
    refreshed: int  # invoices whose status the rule changed
    reminded: int
    failed: int


class InvoiceDelivery:
    def prepare_send(
        self, db: Session, principal: Principal, invoice_id: uuid.UUID, to: str | None
    ) -> SendRequested:
        """What can be checked at once, audited: 409 when the invoice is void, names no
        recipient, or mail is not configured (each message says what is missing)."""
        invoice = _found(InvoiceRepository(db).full(invoice_id, lock=True))
        _refuse_void(invoice)
        recipient = _recipient(db, invoice, to)
        company_mailer(db)  # refuses now, not in the background, when mail is not set up
        audit_service.record(
            db,
            principal,
            action="invoice.send_requested",
            entity_type="invoice",
            entity_id=invoice.id,
            changes={"to": change(None, recipient)},
        )
        return SendRequested(invoice, recipient)

    def request_send(
        self, db: Session, principal: Principal, invoice_id: uuid.UUID, to: str | None, note: str
    ) -> SendRequested:
        """Check, then queue the e-mail in the same transaction (the page never waits)."""
        requested = self.prepare_send(db, principal, invoice_id, to)
        enqueue(db, SEND_TASK, invoice_id=str(invoice_id), to=requested.to, note=note)
        return requested

    def send(
        self,
        sessions: sessionmaker[Session],
        invoice_id: uuid.UUID,
        to: str,
        note: str = "",
        mailer: MailerFactory = company_mailer,
    ) -> bool:
        """The background half: mail the PDF, then record ``sent_at`` and the status. A
        failure is audited with the reason and leaves the status as it was."""
        # Read and render in a read-only unit of work (on SQLite it does not queue for the
        # write lock), closed before mailing: nothing is held while the server answers.
        with unit_of_work(sessions, read_only=True) as db:
            invoice, pdf = invoice_service.pdf(db, invoice_id)
            mail = _invoice_mail(db, invoice, to, note, pdf)
            outbound = mailer_or_reason(db, mailer)
            if invoice.status == InvoiceStatus.VOID:
                outbound = "the invoice was voided before it was sent"
        if isinstance(outbound, str):
            _send_failed(sessions, invoice_id, to, outbound)
            return False
        try:
            outbound.send(mail)
        except MailFailed as failed:
            _send_failed(sessions, invoice_id, to, failed.message)
            return False
        with sessions.begin() as db:
            _record_sent(db, _found(InvoiceRepository(db).full(invoice_id, lock=True)), to)
        return True

    def suggested_recipient(self, db: Session, invoice: Invoice) -> str:
        """Where a homeowner's invoice goes when no address is given (the customer's e-mail);
        "" for a carrier or financing invoice, which has no address on file."""
        if invoice.payer_kind != InvoicePayer.HOMEOWNER:
            return ""
        return InvoiceRepository(db).customer_of(invoice.job_id).email or ""

    def history(self, db: Session, invoice_id: uuid.UUID) -> list[AuditLog]:
        """The invoice's e-mails: each request, sending, reminder and failure, oldest first."""
        _found(InvoiceRepository(db).get(invoice_id))
        rows = audit_service.history(db, "invoice", invoice_id)
        return sorted(
            (row for row in rows if row.action in DELIVERY_ACTIONS), key=lambda r: r.occurred_at
        )

    def sweep(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        mailer: MailerFactory = company_mailer,
    ) -> SweepResult:
        """Refresh every open invoice's status, then remind the payer of each overdue one
        whose next step (ROOFOPS_INVOICE_REMINDER_DAYS) has come; each step at most once."""
        with sessions.begin() as db:
            today = company_today(db)
            refreshed = _refresh_open(db, today)
            due = InvoiceRepository(db).reminder_candidates(
                len(settings.reminder_steps), today - timedelta(days=settings.reminder_steps[0])
            )
        reminded = failed = 0
        for invoice_id in due:
            outcome = self._remind(sessions, invoice_id, today, settings.reminder_steps, mailer)
            reminded += outcome is True
            failed += outcome is False
        log.info("invoice.sweep.done", refreshed=refreshed, reminded=reminded, failed=failed)
        return SweepResult(refreshed, reminded, failed)

    def _remind(
        self,
        sessions: sessionmaker[Session],
        invoice_id: uuid.UUID,
        today: date,
        steps: tuple[int, ...],
        mailer: MailerFactory,
    ) -> bool | None:
        """None when no reminder is due (or another sweep took it); else whether it went."""
        with sessions.begin() as db:
            invoice = _due_for_reminder(db, invoice_id, today, steps)
            if invoice is None:
                return None
            prepared = _prepared_reminder(db, invoice, today, mailer)
            if prepared is None:
                return False
            mail, outbound = prepared
            _record_step(db, invoice)
            step = invoice.reminders_sent
        try:  # after the commit: the step is recorded before the mail leaves
            outbound.send(mail)
        except MailFailed as failed:
            with sessions.begin() as db:
                invoice = _found(InvoiceRepository(db).full(invoice_id, lock=True))
                if isinstance(failed, MailNotSent) and invoice.reminders_sent == step:
                    invoice.reminders_sent -= 1  # nothing went out: tomorrow's sweep retries
                _audit_failure(db, invoice, "invoice.reminder_failed", mail.to, failed.message)
            return False
        return True


def _found(invoice: Invoice | None) -> Invoice:
    if invoice is None:
        raise NotFound("no such invoice")
    return invoice


def _refuse_void(invoice: Invoice) -> None:
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"invoice {invoice.number} is void: it cannot be sent", field="status")


def _recipient(db: Session, invoice: Invoice, to: str | None) -> str:
    """The given address, else the homeowner's: the job's customer. A carrier or financing
    company has no address on file, so it must be given."""
    if to:
        return normalized_email(to)  # the API checked it already; the CLI did not
    if invoice.payer_kind != InvoicePayer.HOMEOWNER:
        payer = invoice.payer_kind.value.replace("_", " ")
        raise Conflict(
            f"invoice {invoice.number} is paid by the {payer} ({invoice.payer_name}): give the "
            "address to send it to (to)",
            field="to",
        )
    customer = InvoiceRepository(db).customer_of(invoice.job_id)
    if not customer.email:
        raise Conflict(
            f"the customer {customer.display_name} has no e-mail address: record one, or give "
            "the address to send it to (to)",
            field="to",
        )
    return customer.email


def _send_failed(
    sessions: sessionmaker[Session], invoice_id: uuid.UUID, to: str, reason: str
) -> None:
    with sessions.begin() as db:
        invoice = _found(InvoiceRepository(db).full(invoice_id))
        _audit_failure(db, invoice, "invoice.send_failed", to, reason)


def _record_sent(db: Session, invoice: Invoice, to: str) -> None:
    old = invoice.status
    invoice.sent_at = utcnow()
    refresh_status(invoice, company_today(db))
    audit_service.record(
        db,
        SYSTEM,
        action="invoice.sent",
        entity_type="invoice",
        entity_id=invoice.id,
        changes={"to": change(None, to), "status": change(old, invoice.status)},
    )


def _audit_failure(db: Session, invoice: Invoice, action: str, to: str, reason: str) -> None:
    log.warning(action.replace("_", "."), invoice=invoice.number, to=to, reason=reason)
    audit_service.record(
        db,
        SYSTEM,
        action=action,
        entity_type="invoice",
        entity_id=invoice.id,
        changes={"to": change(None, to)},
        reason=reason,
    )


def _refresh_open(db: Session, today: date) -> int:
    changed = 0
    # Locked: a payment read back meanwhile is waited for, not overwritten with a stale status.
    for invoice in InvoiceRepository(db).with_status(UNSETTLED, lock=True):
        changed += refresh_status(invoice, today)
    return changed


def _due_for_reminder(
    db: Session, invoice_id: uuid.UUID, today: date, steps: tuple[int, ...]
) -> Invoice | None:
    """Under the row lock (fresh values): the invoice if its next reminder step is due."""
    invoice = InvoiceRepository(db).full(invoice_id, lock=True)
    if invoice is None:
        return None
    refresh_status(invoice, today)  # paid or voided since the list was read: no reminder
    if invoice.status != InvoiceStatus.OVERDUE or invoice.reminders_sent >= len(steps):
        return None
    if (today - invoice.due_date).days < steps[invoice.reminders_sent]:
        return None
    return invoice


def _prepared_reminder(
    db: Session, invoice: Invoice, today: date, mailer: MailerFactory
) -> tuple[Mail, Mailer] | None:
    """The mail and the mailer; None (audited) when there is no address or no mail set-up."""
    try:
        mail = _reminder_mail(db, invoice, today)
    except Conflict as missing:
        _audit_failure(db, invoice, "invoice.reminder_failed", "", missing.message)
        return None
    outbound = mailer_or_reason(db, mailer)
    if isinstance(outbound, str):
        _audit_failure(db, invoice, "invoice.reminder_failed", mail.to, outbound)
        return None
    return mail, outbound


def _record_step(db: Session, invoice: Invoice) -> None:
    """Counted (and audited) before sending: the at-most-once side, see the module docstring."""
    invoice.reminders_sent += 1
    invoice.last_reminder_at = utcnow()
    audit_service.record(
        db,
        SYSTEM,
        action="invoice.reminder_sent",
        entity_type="invoice",
        entity_id=invoice.id,
        changes={"reminders_sent": change(invoice.reminders_sent - 1, invoice.reminders_sent)},
    )


def _reminder_mail(db: Session, invoice: Invoice, today: date) -> Mail:
    to = _recipient(db, invoice, _last_address(db, invoice))
    late = (today - invoice.due_date).days
    subject = f"Reminder: invoice {invoice.number} is {late} days overdue"
    lead = (
        f"Our records show invoice {invoice.number} was due on {invoice.due_date:%B %d, %Y} "
        f"and {dollars(invoice.outstanding_cents)} is still outstanding. If you have already "
        "paid, thank you, and please ignore this reminder."
    )
    return Mail(to=to, subject=subject, body=_body(db, invoice, lead))


def _last_address(db: Session, invoice: Invoice) -> str | None:
    """Where the invoice was last sent: a carrier's or financing company's address lives only
    in the send history."""
    for row in reversed(audit_service.history(db, "invoice", invoice.id)):
        if row.action == "invoice.sent":
            address = row.changes.get("to", {}).get("new")
            return str(address) if address else None
    return None


def _invoice_mail(db: Session, invoice: Invoice, to: str, note: str, pdf: bytes) -> Mail:
    company = company_service.get(db).name
    lead = note or f"Please find attached invoice {invoice.number} from {company}."
    return Mail(
        to=to,
        subject=f"Invoice {invoice.number} from {company}",
        body=_body(db, invoice, lead),
        attachments=(Attachment(f"invoice-{invoice.number}.pdf", pdf),),
    )


def _body(db: Session, invoice: Invoice, lead: str) -> str:
    """The plain-text body every invoice e-mail shares: the figures a payer needs to pay."""
    company = company_service.get(db).name
    address = site_address(invoice.job.property)  # loaded with the invoice
    how = get_settings().invoice_payment_instructions
    how = how.replace("{company}", company).replace("{number}", invoice.number)
    return "\n".join(
        [
            f"Dear {invoice.payer_name},",
            "",
            lead,
            "",
            f"Invoice number: {invoice.number}",
            f"Amount due:     {dollars(invoice.outstanding_cents)}",
            f"Due date:       {invoice.due_date:%B %d, %Y}",
            f"Job address:    {address}",
            "",
            f"How to pay: {how}",
            "",
            company,
        ]
    )


invoice_delivery = InvoiceDelivery()
