from datetime import date, datetime, timedelta

import pytest

from roofops.invoice.status import refresh_status, tracked_status
from roofops.kit.time import utcnow
from roofops.models.invoice import Invoice, InvoiceStatus, PushStatus

TODAY = date(2026, 12, 4)


def invoice(
    *,
    paid: int = 0,
    due: date = TODAY,
    sent: datetime | None = None,
    pushed: bool = False,
    status: InvoiceStatus = InvoiceStatus.DRAFT,
) -> Invoice:
    return Invoice(
        total_cents=100_00,
        paid_cents=paid,
        due_date=due,
        sent_at=sent,
        push_status=PushStatus.PUSHED if pushed else PushStatus.NOT_PUSHED,
        status=status,
    )


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (invoice(), InvoiceStatus.DRAFT),
        (invoice(due=TODAY - timedelta(days=40)), InvoiceStatus.DRAFT),
        (invoice(sent=utcnow()), InvoiceStatus.SENT),
        (invoice(pushed=True), InvoiceStatus.SENT),
        (invoice(pushed=True, due=TODAY - timedelta(days=1)), InvoiceStatus.OVERDUE),
        (invoice(paid=40_00), InvoiceStatus.PARTIALLY_PAID),
        (invoice(paid=40_00, due=TODAY - timedelta(days=1)), InvoiceStatus.OVERDUE),
        (invoice(paid=100_00, due=TODAY - timedelta(days=9)), InvoiceStatus.PAID),
        (invoice(paid=40_00, status=InvoiceStatus.VOID), InvoiceStatus.VOID),
    ],
)
def test_one_rule_for_where_an_invoice_stands(made: Invoice, expected: InvoiceStatus) -> None:
    assert tracked_status(made, TODAY) == expected


def test_refresh_says_whether_the_status_moved() -> None:
    sent = invoice(sent=utcnow(), status=InvoiceStatus.SENT)
    assert refresh_status(sent, TODAY) is False
    assert refresh_status(sent, TODAY + timedelta(days=1)) is True
    assert sent.status == InvoiceStatus.OVERDUE
