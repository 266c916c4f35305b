"""A homeowner's message to the office: on the job's activity feed with the customer as actor,
told to the job's owner, guarded by the session's CSRF token, limited in length and rate."""

from __future__ import annotations

from html import unescape

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.service import principal_for
from roofops.config import get_settings
from roofops.models import ActorType, Role
from roofops.models.activity import ActivityKind
from roofops.notification.service import notification_service
from tests.factories import make_user
from tests.portal.homeowners import Homeowner, homeowner
from tests.portal.signed_in import sign_in_to_portal
from tests.web.conftest import PASSWORD, login


@pytest.fixture
def alice(db: Session) -> Homeowner:
    return homeowner(db, "Alice Anders")


def _send(client: TestClient, alice: Homeowner, text: str, csrf: str | None) -> Response:
    form = {"message": text, **({"csrf_token": csrf} if csrf is not None else {})}
    return client.post(f"/portal/jobs/{alice.job.id}/messages", data=form, follow_redirects=False)


def _messages(db: Session, alice: Homeowner) -> list[str]:
    feed = activity_service.feed_page(db, alice.job.id).entries
    return [entry.body for entry in feed if entry.kind == ActivityKind.CUSTOMER_MESSAGE.value]


def test_a_message_lands_on_the_feed_and_tells_the_owner(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    csrf = sign_in_to_portal(client, db, alice.customer_id)

    response = client.post(
        f"/portal/jobs/{alice.job.id}/messages",
        data={"message": "  Can the crew park on the street?  ", "csrf_token": csrf},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/portal/jobs/{alice.job.id}?sent=true#message"
    assert "Your message was sent." in client.get(response.headers["location"]).text
    entry = activity_service.feed_page(db, alice.job.id).entries[0]
    assert (entry.kind, entry.body) == ("customer_message", "Can the crew park on the street?")
    assert (entry.actor_type, entry.actor_label, entry.actor_id) == (
        ActorType.CUSTOMER,
        "Alice Anders",
        None,
    )
    inbox = notification_service.inbox(db, principal_for(alice.owner, actor_type=ActorType.USER))
    assert [n.title for n in inbox.notifications] == [
        f"Message from Alice Anders on job {alice.job.number}"
    ]
    assert inbox.notifications[0].link == f"/jobs/{alice.job.id}#activity-{entry.id}"


def test_a_job_without_an_owner_still_gets_the_message(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    alice.job.owner_id = None
    csrf = sign_in_to_portal(client, db, alice.customer_id)

    assert _send(client, alice, "Hello", csrf).status_code == 303
    assert _messages(db, alice) == ["Hello"]


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_missing_or_wrong_csrf_token_is_refused(
    client: TestClient, db: Session, alice: Homeowner, token: str | None
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)

    assert _send(client, alice, "Hello", token).status_code == 403
    assert _messages(db, alice) == []


def test_a_message_too_long_is_a_422_page_with_the_text_kept(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    csrf = sign_in_to_portal(client, db, alice.customer_id)
    text = "Leak over the porch. " * 100  # 2,100 characters

    response = client.post(
        f"/portal/jobs/{alice.job.id}/messages",
        data={"message": text, "csrf_token": csrf},
    )

    assert response.status_code == 422
    assert "A message is at most 2000 characters (this one: 2099)." in response.text
    assert text in unescape(response.text)  # in the textarea, to shorten and send again
    assert _messages(db, alice) == []


def test_an_empty_message_is_refused(client: TestClient, db: Session, alice: Homeowner) -> None:
    csrf = sign_in_to_portal(client, db, alice.customer_id)

    response = client.post(
        f"/portal/jobs/{alice.job.id}/messages", data={"message": "   ", "csrf_token": csrf}
    )

    assert response.status_code == 422
    assert "A message needs some text." in response.text


def test_messages_are_rate_limited_with_a_friendly_page(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    csrf = sign_in_to_portal(client, db, alice.customer_id)
    for n in range(get_settings().portal_messages_per_hour):
        assert _send(client, alice, f"Message {n}", csrf).status_code == 303

    response = client.post(
        f"/portal/jobs/{alice.job.id}/messages",
        data={"message": "One more thing", "csrf_token": csrf},
    )

    assert response.status_code == 429
    assert 3500 < int(response.headers["retry-after"]) <= 3600
    assert "you can write again a little later" in response.text
    assert "One more thing" in response.text
    assert len(_messages(db, alice)) == get_settings().portal_messages_per_hour


def test_a_refused_message_does_not_count_toward_the_limit(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    csrf = sign_in_to_portal(client, db, alice.customer_id)
    for _ in range(get_settings().portal_messages_per_hour):
        assert _send(client, alice, "x" * 2001, csrf).status_code == 422

    assert _send(client, alice, "Now a short one", csrf).status_code == 303


def test_the_office_feed_shows_the_customers_message(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    activity_service.add_customer_message(
        db, alice.job.id, "Is Tuesday still on?", customer_name="Alice Anders"
    )
    user = make_user(db, role=Role.VIEWER, password=PASSWORD)
    db.commit()
    assert login(client, user.email, PASSWORD).status_code == 303

    html = client.get(f"/jobs/{alice.job.id}/activity").text

    entry = html.split('data-kind="customer_message"')[1].split("</li>")[0]
    assert "Message from the customer" in entry
    assert "Customer</span> Alice Anders" in entry
    assert "Is Tuesday still on?" in entry


def test_another_homeowners_session_cannot_write_on_this_job(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    bob = homeowner(db, "Bob Brandt")
    csrf = sign_in_to_portal(client, db, bob.customer_id)

    response = _send(client, alice, "Hello from Bob", csrf)

    assert response.status_code == 404
    assert _messages(db, alice) == []
