"""Voiding a pushed invoice voids it in the books first, and a refusal there (a payment is
applied) changes nothing here; the books' closed periods refuse a push, a void and a new
invoice before any write is sent, naming the date."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from roofops.exceptions import Conflict
from roofops.invoice.service import invoice_service
from roofops.kit.http import VendorRequestError
from roofops.models.invoice import InvoiceStatus, PushStatus
from tests.integrations.invoicing.conftest import ISSUED, Pushing


def test_voiding_a_pushed_invoice_voids_it_in_the_books(pushing: Pushing) -> None:
    invoice = pushing.push(pushing.deposit())
    voided = invoice_service.void(pushing.db, pushing.principal, invoice.id, "wrong job")
    assert voided.status == InvoiceStatus.VOID
    assert pushing.books.is_voided(invoice.accounting_id)
    assert len(pushing.books.invoices_numbered(invoice.number)) == 1


def test_a_void_the_books_refuse_changes_nothing_here(pushing: Pushing) -> None:
    """A payment entered only in the books: the vendor refuses the void with its reason."""
    invoice = pushing.push(pushing.deposit())
    pushing.books.pay(invoice.accounting_id, Decimal("100.00"))
    with pytest.raises(Conflict) as refused:
        invoice_service.void(pushing.db, pushing.principal, invoice.id, "changed our mind")
    assert refused.value.message.startswith(
        f"{pushing.books.label} refused to void invoice {invoice.number}: "
    )
    assert "payment" in refused.value.message.lower()
    pushing.db.rollback()
    kept = pushing.reread(invoice)
    assert (kept.status, kept.voided_at) == (InvoiceStatus.SENT, None)
    assert not pushing.books.is_voided(invoice.accounting_id)


def test_a_push_into_a_closed_period_is_refused_naming_the_date(pushing: Pushing) -> None:
    invoice = pushing.deposit()
    closed = ISSUED + timedelta(days=3)
    pushing.books.close(closed)
    failed = pushing.push(invoice)
    assert failed.push_status == PushStatus.FAILED
    assert failed.push_error == (
        f"{pushing.books.label} is closed through {closed.isoformat()}: invoice "
        f"{invoice.number} is dated {ISSUED.isoformat()}. Date it after the closing date or "
        "ask your bookkeeper to reopen the period."
    )
    assert pushing.books.invoice_writes() == 0  # refused before any write
    assert pushing.books.invoices_numbered(invoice.number) == []

    # The lock date read at the push is remembered: a new invoice dated inside it is refused.
    with pytest.raises(Conflict) as refused:
        pushing.progress(ISSUED)
    assert refused.value.status_code == 409
    assert f"closed through {closed.isoformat()}" in refused.value.message
    assert f"dated {ISSUED.isoformat()}" in refused.value.message
    pushing.db.rollback()
    assert pushing.progress(closed + timedelta(days=1)).number == f"{pushing.job.number}-2"


def test_a_void_inside_a_closed_period_is_refused_before_any_call(pushing: Pushing) -> None:
    invoice = pushing.push(pushing.deposit())
    pushing.books.close(ISSUED)
    with pytest.raises(Conflict) as refused:
        invoice_service.void(pushing.db, pushing.principal, invoice.id, "too late")
    assert f"closed through {ISSUED.isoformat()}" in refused.value.message
    assert not pushing.books.is_voided(invoice.accounting_id)


def test_the_fakes_refuse_a_write_dated_inside_the_closed_period(pushing: Pushing) -> None:
    """What roofops never sends, the fakes refuse as the vendors do (a ValidationFault from
    QuickBooks, a ValidationException from Xero), naming the date."""
    invoice = pushing.push(pushing.deposit())
    pushing.books.close(ISSUED)
    with pytest.raises(VendorRequestError) as refused:
        pushing.writer().void_invoice(invoice.accounting_id, pushing.snapshot(invoice))
    assert ISSUED.isoformat() in refused.value.message


def test_an_invoice_voided_in_the_books_already_is_voided_here_too(pushing: Pushing) -> None:
    invoice = pushing.push(pushing.deposit())
    pushing.writer().void_invoice(invoice.accounting_id, pushing.snapshot(invoice))
    pushing.books.later(60)  # past Xero's key window: not a replay that answers
    voided = invoice_service.void(pushing.db, pushing.principal, invoice.id, "voided there")
    assert voided.status == InvoiceStatus.VOID
    assert pushing.books.is_voided(invoice.accounting_id)
