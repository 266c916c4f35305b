"""What the books know of an invoice (pending, pushed, failed with the vendor's message): the
push state the accounting port writes through here, since the invoice rows are this domain's.

Every change of it goes through ``refresh_status``: a pushed invoice counts as issued.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.exceptions import Conflict, NotFound
from roofops.invoice.repository import InvoiceRepository
from roofops.invoice.status import refresh_status
from roofops.kit.time import utcnow
from roofops.models.enums import Provider
from roofops.models.invoice import Invoice, InvoiceStatus, PushStatus

# A push error is the vendor's message: kept whole enough to act on, never a whole body.
MAX_PUSH_ERROR = 2000


def company_today(db: Session) -> date:
    return datetime.now(ZoneInfo(company_service.get(db).time_zone)).date()


def invoice_to_push(db: Session, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice:
    """The invoice with its lines, job and the job's customer (what goes across)."""
    invoice = InvoiceRepository(db).for_push(invoice_id, lock=lock)
    if invoice is None:
        raise NotFound("no such invoice")
    return invoice


def request_push(invoice: Invoice) -> bool:
    """Mark it pending; whether a push has to be queued (not when it is in the books already
    or a push is on its way)."""
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"invoice {invoice.number} is void: it is not pushed", field="status")
    if invoice.push_status in (PushStatus.PUSHED, PushStatus.PENDING):
        return False
    invoice.push_status, invoice.push_error = PushStatus.PENDING, ""
    invoice.push_requested_at = utcnow()
    return True


def start_attempt(invoice: Invoice) -> None:
    invoice.push_attempts += 1


def mark_pushed(invoice: Invoice, provider: Provider, accounting_id: str, today: date) -> None:
    invoice.push_status, invoice.push_error = PushStatus.PUSHED, ""
    invoice.accounting_provider, invoice.accounting_id = provider, accounting_id
    invoice.pushed_at = utcnow()
    refresh_status(invoice, today)


def mark_failed(invoice: Invoice, message: str, today: date) -> None:
    invoice.push_status, invoice.push_error = PushStatus.FAILED, message[:MAX_PUSH_ERROR]
    refresh_status(invoice, today)


def awaiting_push(db: Session) -> list[uuid.UUID]:
    """Invoices never pushed or whose push failed (void ones stay out of the books)."""
    return InvoiceRepository(db).awaiting_push()
