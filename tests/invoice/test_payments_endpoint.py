"""GET /api/v1/jobs/{job_id}/payments: each part of a payment the books applied to the job's
invoices, for the roles that read invoices."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roofops.models import Role
from tests.factories import ApiClient
from tests.integrations.paid_from_books import books_hold, raise_and_send


def test_office_reads_a_jobs_payments_split_as_the_books_split_them(
    api: ApiClient, db: Session
) -> None:
    raised = raise_and_send(db)
    books_hold(db, raised)

    response = api.as_role(Role.OFFICE).get(f"/api/v1/jobs/{raised.job_id}/payments")

    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "date": "2025-06-02",
            "amount": "3000.00",
            "invoice_number": "5003",
            "payer_kind": "homeowner",
            "reference": "2231",
            "source": "quickbooks",
            "payment_id": "901",
        },
        {
            "date": "2025-06-02",
            "amount": "2000.00",
            "invoice_number": "5003-2",
            "payer_kind": "homeowner",
            "reference": "2231",
            "source": "quickbooks",
            "payment_id": "901",
        },
        {
            "date": "2025-06-09",
            "amount": "2535.00",
            "invoice_number": "5003",
            "payer_kind": "homeowner",
            "reference": "",
            "source": "quickbooks",
            "payment_id": "902",
        },
    ]


def test_roles_that_do_not_read_invoices_are_refused_and_an_unknown_job_is_404(
    api: ApiClient, db: Session
) -> None:
    raised = raise_and_send(db)
    books_hold(db, raised)

    refused = api.as_role(Role.DISPATCHER).get(f"/api/v1/jobs/{raised.job_id}/payments")
    missing = api.as_role(Role.FINANCE).get(f"/api/v1/jobs/{uuid.uuid4()}/payments")
    anonymous = api.client.get(f"/api/v1/jobs/{raised.job_id}/payments")

    assert refused.status_code == 403
    assert missing.status_code == 404
    assert anonymous.status_code == 401
