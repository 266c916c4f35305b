"""A crew's calendar feed: a secret link shown once, the published work as all-day events and
the route visits as timed ones, with UIDs that stay put when the work moves."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar
from sqlalchemy.orm import Session

from roofops.kit.crypto import sha256_hex
from roofops.models import Role
from tests.dispatch.field_world import (
    MONDAY,
    field_day,
    published_schedule,
    published_visit,
)
from tests.factories import ApiClient, make_job


def _link(api: ApiClient, crew_id: object) -> tuple[str, str]:
    response = api.as_role(Role.DISPATCHER).post(f"/api/v1/dispatch/crews/{crew_id}/calendar-token")
    assert response.status_code == 201, response.text
    body = response.json()
    return body["token"], body["url"]


def _events(api: ApiClient, url: str) -> dict[str, dict[str, object]]:
    response = api.client.get(url)  # no sign-in: the token is the key
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {
        str(event["UID"]): {
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "location": str(event["LOCATION"]),
        }
        for event in calendar.walk("VEVENT")
    }


def test_the_feed_lists_published_work_and_visits_under_stable_uids(
    api: ApiClient, db: Session
) -> None:
    day = field_day(db, crews=1, visits=1)
    crew = day.crews[0]
    roof = make_job(db, number="R-100")
    first = published_schedule(db, [(roof, crew, MONDAY + timedelta(days=1), 3)])
    published_visit(db, day.jobs[0], crew, MONDAY, 9 * 60)
    db.commit()
    token, url = _link(api, crew.id)

    before = _events(api, url)
    published_schedule(db, [(roof, crew, MONDAY + timedelta(days=8), 2)], based_on=first)
    db.commit()
    after = _events(api, url)

    work_uid = f"work-{roof.id}-install@roofops"
    visit_uid = f"visit-{day.jobs[0].id}-{MONDAY.isoformat()}@roofops"
    assert set(before) == {work_uid, visit_uid}
    assert before[work_uid]["start"] == MONDAY + timedelta(days=1)
    assert before[work_uid]["end"] == MONDAY + timedelta(days=4)  # exclusive: 3 days
    assert str(before[work_uid]["summary"]).startswith("R-100 install")
    visit_start = before[visit_uid]["start"]
    assert (visit_start.hour, visit_start.minute) == (9, 0)  # type: ignore[attr-defined]
    assert str(visit_start.tzinfo) == "America/Denver"  # type: ignore[attr-defined]
    # The moved job is the same event with new dates, not a second one.
    assert set(after) == {work_uid, visit_uid}
    assert after[work_uid]["start"] == MONDAY + timedelta(days=8)
    assert parse_qs(urlsplit(url).query)["token"] == [token]
    db.refresh(crew)
    assert crew.calendar_token_hash == sha256_hex(token)


def test_a_wrong_or_replaced_token_finds_no_calendar(api: ApiClient, db: Session) -> None:
    crew = field_day(db, crews=1, visits=0).crews[0]
    db.commit()
    _, old_url = _link(api, crew.id)
    _, new_url = _link(api, crew.id)
    base = f"/api/v1/dispatch/crews/{crew.id}/calendar.ics"

    assert api.client.get(old_url).status_code == 404
    assert api.client.get(new_url).status_code == 200
    assert api.client.get(f"{base}?token=guess").status_code == 404
    assert api.client.get(base).status_code == 422
    refused = api.as_role(Role.CREW_LEAD).post(f"/api/v1/dispatch/crews/{crew.id}/calendar-token")
    assert refused.status_code == 403
