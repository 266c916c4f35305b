"""What a signed-in homeowner sees: their jobs, and a job's timeline, dates, crew notices,
money, insurance steps and shared files; and never anything internal."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.principal import SYSTEM
from roofops.models import JobStage
from roofops.models.activity import ActivityKind
from roofops.models.dispatch import DispatchPlan, PlanKind, PlanStatus
from roofops.portal.job_view import day_words
from tests.factories import make_job
from tests.portal import homeowners as seeded
from tests.portal.homeowners import Homeowner, homeowner, predict_install, today
from tests.portal.signed_in import sign_in_to_portal


@pytest.fixture
def alice(db: Session) -> Homeowner:
    return homeowner(db, "Alice Anders")


def _page(client: TestClient, alice: Homeowner) -> str:
    """The page's text, entities decoded (an escaped apostrophe must not hide a string)."""
    response = client.get(f"/portal/jobs/{alice.job.id}")
    assert response.status_code == 200
    return unescape(response.text)


def test_the_jobs_list_greets_the_customer_and_lists_one_job_as_a_list(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    homeowner(db, "Bob Brandt")
    sign_in_to_portal(client, db, alice.customer_id)

    html = client.get("/portal/").text

    assert "Hello, Alice Anders" in html
    assert html.count('class="portal-card portal-job-card"') == 1
    assert f"/portal/jobs/{alice.job.id}" in html
    assert "Scheduled" in html
    start = today(db) + timedelta(days=3)
    assert f"Roof install: {start:%a %b} {start.day}" in html  # the next date
    assert "Bob" not in html


def test_the_job_page_never_shows_internal_fields(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)
    html = _page(client, alice)

    internal = [
        seeded.COST_TEXT, "7,654.32", seeded.INTERNAL_NOTE, seeded.UNSHARED_CAPTION,
        seeded.UNSHARED_DOCUMENT, seeded.CREW_PHONE, seeded.CUSTOMER_NOTES, seeded.DESCRIPTION,
        seeded.GATE_CODE, alice.owner.email, "Alex Rep", "7,777.00", "8,888.00", "margin",
        "Margin", "profit", str(alice.draft.id), str(alice.void.id),
        str(alice.hidden_photo.id), str(alice.hidden_document.id),
    ]  # fmt: skip
    assert [text for text in internal if text in html] == []


def test_the_timeline_dates_each_stage_and_says_what_happens_next(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)
    html = _page(client, alice)

    assert 'aria-current="step"' in html
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "Scheduled" in current
    assert "The crew comes on the days shown below" in current
    assert day_words(today(db)) in current  # the day the job reached the stage
    assert html.count("step-upcoming") == 4  # in production, completed, invoiced, paid


def test_a_lost_job_ends_its_timeline_there(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    alice.job.stage = JobStage.LOST
    sign_in_to_portal(client, db, alice.customer_id)
    html = _page(client, alice)

    assert "Not going ahead" in html
    assert "step-upcoming" not in html


def test_when_says_the_forecast_window_with_its_uncertainty(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    waiting = homeowner(db, "Wanda Waiting", scheduled=False)
    start = today(db) + timedelta(days=20)
    predict_install(db, waiting.job, start)
    predict_install(db, alice.job, start)  # alice's crew is on the published schedule
    sign_in_to_portal(client, db, waiting.customer_id)
    html = _page(client, waiting)

    sign_in_to_portal(client, db, alice.customer_id)
    assert "From our published crew schedule." in _page(client, alice)

    expected = (
        f"Install: most likely {day_words(start)}; between {day_words(start - timedelta(days=4))}"
        f" and {day_words(start + timedelta(days=6))} (80% of similar jobs)."
    )
    assert expected in html
    assert "A prediction from how similar jobs went" in html


def test_when_falls_back_to_the_schedule_then_to_a_promise(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)
    assert "From our published crew schedule." in _page(client, alice)

    lone = make_job(db, stage=JobStage.CONTRACT_SIGNED)
    sign_in_to_portal(client, db, lone.customer_id)
    html = client.get(f"/portal/jobs/{lone.id}").text
    assert "We will let you know once your job is scheduled." in html
    assert "No invoices yet." in html
    assert "Nothing shared yet." in html


def test_crew_notices_show_the_days_the_crew_and_a_weather_move(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    was = today(db) + timedelta(days=1)
    now = today(db) + timedelta(days=3)
    replan = DispatchPlan(kind=PlanKind.SCHEDULE, status=PlanStatus.SUPERSEDED, horizon_start=was,
                          horizon_end=now, trigger="replan: weather")  # fmt: skip
    db.add(replan)
    db.flush()
    placed = {"crew_id": str(alice.crew.id)}
    change = {
        "phase": "install",
        "before": {**placed, "starts_on": was.isoformat(), "ends_on": was.isoformat()},
        "after": {**placed, "starts_on": now.isoformat(), "ends_on": now.isoformat()},
    }
    data = {"plan_id": str(replan.id), "changes": [change]}
    activity_service.record(
        db, alice.job.id, ActivityKind.SCHEDULE, "Schedule published", by=SYSTEM, data=data
    )
    sign_in_to_portal(client, db, alice.customer_id)
    html = _page(client, alice)

    assert f"{alice.crew.name} is on the way." in html
    assert f"Roof install: {now:%a %b} {now.day}" in html
    assert f"({alice.crew.name})" in html
    assert (
        f"Your roof install moved to {now:%a %b} {now.day} (it was {was:%a %b} {was.day}), "
        "because of the weather forecast." in html
    )


def test_money_per_payer_with_status_totals_and_insurance_steps(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)
    html = _page(client, alice)

    assert "<strong>Still due</strong>: invoiced minus paid." in html  # each total defined
    you = html.split("Paid by you")[1].split("Paid by your insurance company")[0]
    assert "Your deductible" in you
    assert "$1,000.00" in you
    assert "Due" in you
    assert "Paid by your insurance company" in html
    insurer = html.split("Paid by your insurance company")[1].split("Your insurance claim")[0]
    assert "Insurance first payment (ACV)" in insurer
    assert "$16,000.00" in insurer
    assert "badge-paid" in insurer
    assert f"/portal/jobs/{alice.job.id}/invoices/{alice.issued.id}.pdf" in html
    assert "Granite State Mutual" in html
    assert "GSM-2026-0042" in html
    assert "ACV received: your insurer's first payment of $16,000.00 has arrived." in html
    assert "Your deductible is $1,000.00" in html
    assert "Your insurer holds back $3,000.00 (depreciation) until the work is completed" in html


def test_an_overdue_invoice_says_so(client: TestClient, db: Session, alice: Homeowner) -> None:
    alice.issued.due_date = today(db) - timedelta(days=1)
    sign_in_to_portal(client, db, alice.customer_id)

    assert "badge-overdue" in _page(client, alice)


def test_shared_files_are_listed_and_served(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)
    html = _page(client, alice)
    assert 'alt="New ridge vent"' in html
    assert "Signed contract" in html

    photo = client.get(f"/portal/jobs/{alice.job.id}/photos/{alice.photo.id}")
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert photo.content == alice.photo.data

    document = client.get(f"/portal/jobs/{alice.job.id}/documents/{alice.document.id}")
    assert document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"].startswith(
        "attachment; filename=\"contract _final__.._x.pdf\"; filename*=UTF-8''"
    )  # no quote, no slash
    assert document.headers["x-content-type-options"] == "nosniff"

    pdf = client.get(f"/portal/jobs/{alice.job.id}/invoices/{alice.issued.id}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_photo_without_a_caption_says_what_it_shows(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    alice.photo.caption = ""
    sign_in_to_portal(client, db, alice.customer_id)

    taken = alice.photo.uploaded_at.date()
    assert f'alt="Photo of your roof, {day_words(taken)}"' in _page(client, alice)
