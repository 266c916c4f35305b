"""The job page's "Customer portal" card: office sends a link and revokes it; a crew lead
sees no card and may not use its routes; the Settings page sets the invitation stage."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.models import JobStage, Role
from roofops.portal.links import MAIL_TASK
from tests.factories import make_job
from tests.queued import queued_args
from tests.smtp import running_smtp_server, send_settings_to
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]
HX = {"HX-Request": "true"}


@pytest.fixture
def mail_configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with running_smtp_server() as server:
        send_settings_to(server, monkeypatch, "Summit <office@summit.example>")
        yield


@pytest.mark.usefixtures("mail_configured")
def test_the_office_sends_and_revokes_a_link_from_the_job_page(
    sign_in: SignIn, db: Session
) -> None:
    office = sign_in(Role.OFFICE)
    job = make_job(db)
    db.commit()

    page = office.client.get(f"/jobs/{job.id}").text
    assert 'id="portal-links-panel"' in page
    card = office.client.get(f"/jobs/{job.id}/portal-links").text
    assert "No portal link sent for this job yet." in card

    sent = office.post(f"/jobs/{job.id}/portal-links", {"email": "pat@home.example"}, HX)
    assert sent.status_code == 200
    assert "Link sent to pat@home.example." in sent.text
    assert "Active" in sent.text
    [args] = queued_args(db, MAIL_TASK)

    revoked = office.post(f"/jobs/{job.id}/portal-links/{args['link_id']}/revoke", headers=HX)
    assert "Link revoked" in revoked.text
    assert "Revoked" in revoked.text

    refused = office.post(f"/jobs/{job.id}/portal-links", {"email": "not-an-address"}, HX)
    assert refused.status_code == 422
    assert 'id="portal-links-error"' in refused.text


def test_a_crew_lead_sees_no_card_and_may_not_send(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    job = make_job(db)
    db.commit()

    assert 'id="portal-links-panel"' not in lead.client.get(f"/jobs/{job.id}").text
    assert lead.client.get(f"/jobs/{job.id}/portal-links").status_code == 403
    assert lead.post(f"/jobs/{job.id}/portal-links", {"email": ""}, HX).status_code == 403


def test_the_admin_sets_the_invitation_stage_on_the_settings_page(
    sign_in: SignIn, db: Session
) -> None:
    admin = sign_in(Role.ADMIN)
    form = {"name": "Summit Roofing", "time_zone": "America/Denver", "currency": "USD"}

    saved = admin.post("/settings/company", {**form, "portal_invite_stage": "contract_signed"})
    assert saved.status_code == 303
    assert company_service.get(db).portal_invite_stage == JobStage.CONTRACT_SIGNED
    assert 'value="contract_signed" selected' in admin.client.get("/settings").text

    admin.post("/settings/company", {**form, "portal_invite_stage": ""})
    db.expire_all()
    assert company_service.get(db).portal_invite_stage is None
