"""The push API answers at once: 202 with the invoice pending and one push queued; 202 again
without a second push while it is on its way; 200 once it is in the books; 409 with no books
connected; 403 for a role that may not edit invoices."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.integrations.invoicing.push import PUSH_TASK
from roofops.models import BackgroundJob, IntegrationConnection, Invoice, Job, Provider, Role
from roofops.models.enums import ConnectionStatus
from roofops.models.invoice import PushStatus
from tests.factories import ApiClient
from tests.integrations.invoicing.conftest import deposit


def _queued_pushes(db: Session, is_postgres: bool) -> int:
    """Pushes waiting for a worker: procrastinate's table on PostgreSQL, ours on SQLite."""
    if is_postgres:
        query = f"SELECT count(*) FROM procrastinate_jobs WHERE task_name = '{PUSH_TASK}'"
        return db.scalar(sa.text(query)) or 0
    statement = sa.select(sa.func.count()).where(BackgroundJob.task_name == PUSH_TASK)
    return db.scalar(statement) or 0


def _connect_quickbooks(db: Session) -> None:
    db.add(IntegrationConnection(provider=Provider.QUICKBOOKS, status=ConnectionStatus.CONNECTED))
    db.commit()


def test_a_push_is_queued_once_and_answered_at_once(
    api: ApiClient, db: Session, finance: Principal, job: Job, is_postgres: bool
) -> None:
    _connect_quickbooks(db)
    invoice = deposit(db, finance, job)
    finance_api = api.as_role(Role.FINANCE)

    first = finance_api.post(f"/api/v1/invoices/{invoice.id}/push")
    assert first.status_code == 202, first.text
    assert first.json()["push_status"] == "pending"
    again = finance_api.post(f"/api/v1/invoices/{invoice.id}/push")
    assert (again.status_code, again.json()["push_status"]) == (202, "pending")
    assert _queued_pushes(db, is_postgres) == 1

    db.expire_all()
    stored = db.get(Invoice, invoice.id)
    assert stored is not None
    assert stored.push_requested_at is not None
    stored.push_status, stored.accounting_id = PushStatus.PUSHED, "130"
    db.commit()
    done = finance_api.post(f"/api/v1/invoices/{invoice.id}/push")
    assert (done.status_code, done.json()["accounting_id"]) == (200, "130")
    assert _queued_pushes(db, is_postgres) == 1


def test_push_pending_queues_what_is_not_in_the_books(
    api: ApiClient, db: Session, finance: Principal, job: Job, is_postgres: bool
) -> None:
    _connect_quickbooks(db)
    deposit(db, finance, job)
    answer = api.as_role(Role.ADMIN).post("/api/v1/invoices/push-pending")
    assert (answer.status_code, answer.json()) == (202, {"queued": 1})
    again = api.as_role(Role.ADMIN).post("/api/v1/invoices/push-pending")
    assert again.json() == {"queued": 0}
    assert _queued_pushes(db, is_postgres) == 1


def test_no_books_connected_is_a_409_that_says_what_to_do(
    api: ApiClient, db: Session, finance: Principal, job: Job
) -> None:
    invoice = deposit(db, finance, job)
    answer = api.as_role(Role.FINANCE).post(f"/api/v1/invoices/{invoice.id}/push")
    assert answer.status_code == 409
    assert "connect QuickBooks or Xero" in answer.json()["error"]["message"]
    db.expire_all()
    stored = db.get(Invoice, invoice.id)
    assert stored is not None
    assert stored.push_status == PushStatus.NOT_PUSHED


def test_roles_without_edit_invoices_are_refused(
    api: ApiClient, db: Session, finance: Principal, job: Job
) -> None:
    _connect_quickbooks(db)
    invoice = deposit(db, finance, job)
    for role in (Role.OFFICE, Role.VIEWER, Role.DISPATCHER):
        refused = api.as_role(role).post(f"/api/v1/invoices/{invoice.id}/push")
        assert refused.status_code == 403, role
        assert api.as_role(role).post("/api/v1/invoices/push-pending").status_code == 403
