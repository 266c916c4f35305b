"""The crew page without a browser: who opens which crew, the plain form posts (redirects, no
JavaScript needed), the htmx answers (the card and the state pill), refusals on the card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.field.photos import photo_service
from roofops.field.service import field_service
from roofops.models import ActivityKind, Crew, Job, JobActivity, JobStage, Role
from roofops.models.field import FieldReport, FieldStatus
from tests.dispatch.field_world import published_schedule, published_visit
from tests.factories import make_crew, make_job
from tests.field.images import PDF, png
from tests.field.world import as_principal, planned_job
from tests.statements import counted_statements
from tests.web.conftest import Browser

HTMX = {"HX-Request": "true"}
SignIn = Callable[[Role], Browser]


def _led_by(db: Session, browser: Browser) -> tuple[Crew, Job]:
    crew = make_crew(db)
    crew.lead_name = browser.user.full_name
    job = planned_job(db, crew, field_service.today(db))
    db.commit()
    return crew, job


def _report_url(crew: Crew, job: Job) -> str:
    return f"/crew/{crew.id}/jobs/{job.id}/report"


def test_the_lead_lands_on_their_crews_day(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    crew, job = _led_by(db, lead)

    page = lead.client.get("/crew")

    assert page.status_code == 200
    html = page.text
    assert f"<h1>{crew.name}</h1>" in html
    assert f'data-job-number="{job.number}"' in html
    for value, label in (
        ("en_route", "On the way"),
        ("on_site", "Start work"),
        ("finished", "Finish for today"),
        ("blocked", "Blocked"),
    ):
        assert f'name="status" value="{value}" class="btn' in html
        assert f">{label}</button>" in html
    assert 'accept="image/*" capture="environment"' in html
    assert 'data-state="scheduled"' in html
    assert "Coming days" in html
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=39.740000%2C-104.990000" in html


def test_a_lead_cannot_open_another_crew(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    other = make_crew(db)
    other.lead_name = "Someone Else"
    db.commit()

    refused = lead.client.get(f"/crew/{other.id}")
    no_crew = lead.client.get("/crew")

    assert refused.status_code == 403
    assert f"nly the lead of {other.name} (Someone Else)" in refused.text
    assert 'id="no-crew"' in no_crew.text


def test_dispatchers_pick_any_crew_and_the_office_has_no_crew_page(
    sign_in: SignIn, db: Session
) -> None:
    crew = make_crew(db)
    db.commit()
    dispatcher = sign_in(Role.DISPATCHER)

    picker = dispatcher.client.get("/crew")
    its_page = dispatcher.client.get(f"/crew/{crew.id}")
    office = sign_in(Role.OFFICE).client.get("/crew")

    assert f'href="/crew/{crew.id}"' in picker.text
    assert its_page.status_code == 200
    assert office.status_code == 403


def test_a_plain_post_reports_and_comes_back_to_the_card(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    crew, job = _led_by(db, lead)

    posted = lead.post(_report_url(crew, job), {"status": "on_site", "note": ""})

    assert posted.status_code == 303
    assert posted.headers["location"] == f"/crew/{crew.id}#job-{job.id}"
    db.expire_all()
    assert db.scalars(sa.select(FieldReport.status)).all() == ["on_site"]
    assert db.get(Job, job.id).stage == JobStage.IN_PRODUCTION  # type: ignore[union-attr]
    page = lead.client.get(posted.headers["location"]).text
    assert 'data-state="on_site"' in page


def test_htmx_gets_the_card_and_the_state_pill(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    crew, job = _led_by(db, lead)

    answer = lead.post(_report_url(crew, job), {"status": "en_route"}, headers=HTMX)

    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<article")
    assert 'data-status="en_route"' in answer.text
    assert 'id="crew-state"' in answer.text
    assert 'hx-swap-oob="true"' in answer.text
    assert "<html" not in answer.text


def test_a_refusal_shows_on_the_card_with_what_was_typed(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    crew, job = _led_by(db, lead)

    by_htmx = lead.post(_report_url(crew, job), {"status": "blocked", "note": ""}, headers=HTMX)
    plain = lead.post(_report_url(crew, job), {"status": "lunch", "note": "kept text"})

    assert by_htmx.status_code == 422
    assert "what blocks the crew" in by_htmx.text
    assert 'role="alert"' in by_htmx.text
    assert plain.status_code == 422
    assert "hoose On the way, Start work" in plain.text
    assert "kept text</textarea>" in plain.text
    assert "<html" in plain.text
    assert db.scalar(sa.select(sa.func.count()).select_from(FieldReport)) == 0


def test_notes_and_photos_from_the_card(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    crew, job = _led_by(db, lead)
    base = f"/crew/{crew.id}/jobs/{job.id}"

    note = lead.post(f"{base}/notes", {"body": "Soft decking by the chimney"})
    photo = lead.client.post(
        f"{base}/photos",
        data={"csrf_token": lead.csrf, "caption": "chimney"},
        files={"photo": ("IMG_0001.png", png(), "image/png")},
        follow_redirects=False,
    )
    not_image = lead.client.post(
        f"{base}/photos",
        data={"csrf_token": lead.csrf},
        files={"photo": ("IMG_0002.jpg", PDF, "image/jpeg")},
        headers=HTMX,
    )
    nothing = lead.client.post(f"{base}/photos", data={"csrf_token": lead.csrf}, headers=HTMX)

    assert (note.status_code, photo.status_code) == (303, 303)
    kinds = db.scalars(sa.select(JobActivity.kind).where(JobActivity.job_id == job.id)).all()
    assert sorted(kinds) == sorted([ActivityKind.NOTE, ActivityKind.PHOTO])
    card = lead.client.get(f"/crew/{crew.id}").text
    assert f'src="/jobs/{job.id}/photos/' in card
    assert 'alt="chimney"' in card
    assert not_image.status_code == 422
    assert "not a photo we can store" in not_image.text
    assert nothing.status_code == 422
    assert "hoose or take a photo first" in nothing.text


def test_the_crew_acknowledges_a_changed_plan_from_its_page(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    crew, _ = _led_by(db, lead)
    plan = published_visit(db, make_job(db), crew, field_service.today(db), 9 * 60)
    db.commit()

    before = lead.client.get(f"/crew/{crew.id}").text
    done = lead.post(f"/crew/{crew.id}/acknowledge", {"plan_id": str(plan.id)}, headers=HTMX)
    bad = lead.post(f"/crew/{crew.id}/acknowledge", {"plan_id": "nope"}, headers=HTMX)

    assert f'name="plan_id" value="{plan.id}"' in before
    assert done.status_code == 200
    assert f'value="{plan.id}"' not in done.text
    assert bad.status_code == 422
    assert "lan id is not a valid id" in bad.text


def _page_statements(browser: Browser, connection: sa.Connection, crew: Crew) -> int:
    with counted_statements(connection) as sent:
        assert browser.client.get(f"/crew/{crew.id}").status_code == 200
    return len(sent)


def test_a_busy_week_costs_the_page_no_more_queries_than_a_quiet_one(
    sign_in: SignIn, db: Session, connection: sa.Connection
) -> None:
    """The week is read at once, the cards' photos in one query and the plans awaiting the
    crew's acknowledgement together: the page's statements do not grow with the days, the
    jobs, the reports, the photos or the plans."""
    lead = sign_in(Role.CREW_LEAD)
    quiet, _ = _led_by(db, lead)
    busy = make_crew(db)
    busy.lead_name = lead.user.full_name
    today = field_service.today(db)
    jobs = [make_job(db) for _ in range(4)]
    published_schedule(db, [(job, busy, today, 3 + n) for n, job in enumerate(jobs)])
    for n in range(1, 4):  # a routes plan a day: each one waits for the crew's acknowledgement
        published_visit(db, make_job(db), busy, today + timedelta(days=n), 9 * 60)
    for job in jobs[:2]:
        field_service.report(db, as_principal(lead.user), busy.id, job.id, FieldStatus.EN_ROUTE)
        for caption in ("ridge", "valley", "chimney", "gutter"):
            photo_service.add(
                db, as_principal(lead.user), job.id, png(), caption=caption, crew_id=busy.id
            )
    db.commit()

    quiet_count = _page_statements(lead, connection, quiet)
    busy_count = _page_statements(lead, connection, busy)

    assert busy_count <= quiet_count <= 25
