"""Publishing tells the crews and customers whose work moved: queued in the publishing
transaction, mailed by the worker to a real SMTP server, once per plan and never twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service
from roofops.dispatch.field_tasks import notify
from roofops.dispatch.notifications import NOT_REACHABLE, NOTIFY_TASK, queue_notifications
from roofops.models import Customer, Role
from roofops.models.dispatch import PlanStatus
from tests.dispatch.field_world import MONDAY, field_day, published_schedule
from tests.factories import ApiClient, make_job, make_user
from tests.queued import queued_args
from tests.smtp import SmtpServer, running_smtp_server, send_settings_to


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """Settings pointed at a real local SMTP server."""
    with running_smtp_server() as server:
        send_settings_to(server, monkeypatch, "Summit Dispatch <dispatch@summit.example>")
        yield server


def queued(db: Session) -> list[dict[str, Any]]:
    return queued_args(db, NOTIFY_TASK)


def test_a_publish_mails_the_crew_lead_and_the_moved_customer_once(
    db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    moved, kept = field_day(db, crews=2, visits=0).crews
    lead = make_user(db, role=Role.CREW_LEAD, email="lead@summit.example")
    lead.full_name = moved.lead_name.upper()  # names match whatever their case
    roof, other = make_job(db, number="R-7"), make_job(db)
    first = published_schedule(db, [(roof, moved, MONDAY, 2), (other, kept, MONDAY, 3)])
    later = MONDAY + timedelta(days=7)
    plan = published_schedule(
        db, [(roof, moved, later, 2), (other, kept, MONDAY, 3)], based_on=first
    )

    assert queue_notifications(db, plan.id) == 2
    assert queue_notifications(db, plan.id) == 0  # a second publish hook queues nothing
    db.commit()
    jobs = queued(db)
    for args in jobs + jobs:  # every job delivered twice, as a retried worker might
        notify(session_maker, **args)

    customer = db.get(Customer, roof.customer_id)
    assert customer is not None
    assert sorted(message["To"] for message in smtp.messages) == sorted(
        ["lead@summit.example", customer.email]
    )
    [crew_mail] = smtp.to("lead@summit.example")
    crew_text = crew_mail.get_content()
    assert f"The schedule of {moved.name} changed" in crew_text
    assert "R-7 roof install" in crew_text
    assert "moved to Mon Dec 14 to Tue Dec 15 (was Mon Dec 7 to Tue Dec 8)" in crew_text
    [customer_mail] = smtp.to(customer.email)
    assert "your roof install moved to Mon Dec 14 to Tue Dec 15" in customer_mail.get_content()


def test_a_crew_whose_lead_has_no_account_is_recorded_for_a_call(
    db: Session, smtp: SmtpServer
) -> None:
    crew = field_day(db, crews=1, visits=0).crews[0]
    plan = published_schedule(db, [(make_job(db), crew, MONDAY, 1)])

    queue_notifications(db, plan.id)

    skipped = [
        row
        for row in audit_service.history(db, "dispatch_plan", plan.id)
        if row.action == NOT_REACHABLE
    ]
    assert [row.reason for row in skipped] == [
        f"crew {crew.name}: its lead has no crew_lead account with an e-mail (call 303-555-0100)"
    ]
    assert [args["key"].split(":")[0] for args in queued(db)] == ["customer"]


def test_publishing_a_schedule_on_the_board_queues_the_notifications(
    api: ApiClient, db: Session
) -> None:
    crew = field_day(db, crews=1, visits=0).crews[0]
    roof = make_job(db)
    draft = published_schedule(db, [(roof, crew, MONDAY, 2)])
    draft.status, draft.published_at = PlanStatus.DRAFT, None
    db.commit()

    response = api.as_role(Role.DISPATCHER).post(f"/api/v1/dispatch/plans/{draft.id}/publish")

    assert response.status_code == 200, response.text
    assert [args["key"] for args in queued(db)] == [f"customer:{roof.id}:install"]
