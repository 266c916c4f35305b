"""The job page's Payments card: what each payer paid and still owes (with its source), the
depreciation held, and each payment as the books split it; only for the roles that read
invoices."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from roofops.models import Role
from roofops.models.invoice import Invoice
from tests.integrations.paid_from_books import books_hold, raise_and_send
from tests.web.conftest import Browser


def test_office_sees_each_payers_payments_a_dispatcher_does_not(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    raised = raise_and_send(db)
    books_hold(db, raised)
    # As the sync leaves them: the deposit paid, $2,000 of the progress invoice.
    db.get_one(Invoice, raised.deposit).paid_cents = 553_500
    db.get_one(Invoice, raised.progress).paid_cents = 200_000
    db.commit()

    page = sign_in(Role.OFFICE).client.get(f"/jobs/{raised.job_id}")

    assert page.status_code == 200
    card = page.text[page.text.index('id="job-payments"') :]
    payer = card[card.index('data-payer="homeowner"') :]
    assert "$7,535.00" in payer.split("</tr>")[0]  # paid: 5,535 + 2,000
    assert 'data-source="quickbooks"' in payer.split("</tr>")[0]
    assert "$5,380.00" in payer.split("</tr>")[0]  # still owes: 12,915 invoiced - 7,535
    assert card.count('data-payment="901"') == 2  # one payment split over two invoices
    assert "2231" in card
    assert 'title="What the books say was paid' in card

    dispatcher = sign_in(Role.DISPATCHER).client.get(f"/jobs/{raised.job_id}")
    assert dispatcher.status_code == 200
    assert 'id="job-payments"' not in dispatcher.text
