"""The portal's sign-in pages over HTTP: asking for a link (one answer for every address,
rate-limited), following it (a GET never uses it), using it once, signing out."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import COMMAND_LINE
from roofops.models import Customer, PortalLink, PortalLinkOrigin, PortalSession
from roofops.portal.dependencies import PORTAL_COOKIE
from roofops.portal.links import MAIL_TASK, portal_links
from roofops.portal.sessions import portal_sessions
from tests.factories import make_job
from tests.portal.mailed import deliver_queued_links, token_in
from tests.queued import queued_args
from tests.smtp import SmtpServer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: TestClient, path: str = "/portal/sign-in") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def ask(client: TestClient, email: str) -> Response:
    token = form_token(client)
    return client.post("/portal/sign-in", data={"email": email, "csrf_token": token})


def use(client: TestClient, raw_token: str) -> Response:
    csrf = form_token(client, f"/portal/sign-in/{raw_token}")
    return client.post(
        f"/portal/sign-in/{raw_token}", data={"csrf_token": csrf}, follow_redirects=False
    )


def without_form_token(html: str) -> str:
    return CSRF.sub("", html)


def test_the_sign_in_page_has_a_labelled_email_field(client: TestClient) -> None:
    page = client.get("/portal/sign-in")

    assert page.status_code == 200
    assert '<label for="sign-in-email">' in page.text
    assert 'id="sign-in-email" name="email" type="email"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "roofops_portal_csrf" in page.headers["set-cookie"]


def test_known_and_unknown_addresses_get_the_same_answer(
    client: TestClient, db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    job = make_job(db)
    known = db.get(Customer, job.customer_id)
    assert known is not None
    db.commit()

    for_known = ask(client, known.email.upper())
    for_unknown = ask(client, "nobody-here@example.com")

    assert for_known.status_code == for_unknown.status_code == 200
    assert without_form_token(for_known.text) == without_form_token(for_unknown.text)
    assert "If that address has a project with us" in for_known.text
    assert deliver_queued_links(db, session_maker) == 1
    [mail] = smtp.messages
    assert mail["To"] == known.email


def test_the_fourth_request_within_the_hour_is_429_and_sends_nothing(
    client: TestClient, db: Session
) -> None:
    job = make_job(db)
    email = db.get(Customer, job.customer_id).email  # type: ignore[union-attr]
    db.commit()
    for _ in range(3):
        assert ask(client, email).status_code == 200

    limited = ask(client, email)

    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 3000
    assert "several links in a short time" in limited.text
    assert len(queued_args(db, MAIL_TASK)) == 3


def test_a_form_without_its_cookie_is_refused(client: TestClient, db: Session) -> None:
    refused = client.post(
        "/portal/sign-in", data={"email": "pat@example.com", "csrf_token": "forged"}
    )
    assert refused.status_code == 403
    assert queued_args(db, MAIL_TASK) == []


def test_following_a_link_shows_a_button_and_uses_nothing(client: TestClient, db: Session) -> None:
    issued = portal_links.issue(db, COMMAND_LINE, make_job(db).id, origin=PortalLinkOrigin.OFFICE)
    db.commit()

    page = client.get(f"/portal/sign-in/{issued.raw_token}")
    client.get(f"/portal/sign-in/{issued.raw_token}")  # a mail scanner's prefetch

    assert page.status_code == 200
    assert "Open my project" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    db.refresh(issued.link)
    assert issued.link.used_at is None


def test_using_a_link_signs_in_once_and_opens_its_job(client: TestClient, db: Session) -> None:
    job = make_job(db)
    issued = portal_links.issue(db, COMMAND_LINE, job.id, origin=PortalLinkOrigin.OFFICE)
    db.commit()

    used = use(client, issued.raw_token)

    assert used.status_code == 303
    assert used.headers["location"] == f"/portal/jobs/{job.id}"
    cookie = next(
        c for c in used.headers.get_list("set-cookie") if c.startswith(f"{PORTAL_COOKIE}=")
    )
    assert "HttpOnly" in cookie
    assert "Path=/portal" in cookie
    assert "SameSite=lax" in cookie
    assert f"Max-Age={30 * 24 * 3600}" in cookie
    visitor = portal_sessions.visitor(db, client.cookies[PORTAL_COOKIE])
    assert visitor is not None
    assert visitor.customer_id == job.customer_id

    with TestClient(client.app) as other:  # type: ignore[arg-type]
        again = use(other, issued.raw_token)
        assert again.status_code == 401
        assert "expired or was already used" in again.text
        assert PORTAL_COOKIE not in other.cookies


@pytest.mark.parametrize("tamper", [lambda t: t[:-2], lambda t: t + "x", lambda t: "a" * 43])
def test_a_tampered_or_unknown_link_is_refused(
    client: TestClient, db: Session, tamper: object
) -> None:
    issued = portal_links.issue(db, COMMAND_LINE, make_job(db).id, origin=PortalLinkOrigin.OFFICE)
    db.commit()

    refused = use(client, tamper(issued.raw_token))  # type: ignore[operator]

    assert refused.status_code == 401
    assert PORTAL_COOKIE not in client.cookies
    assert db.scalar(sa.select(sa.func.count()).select_from(PortalSession)) == 0


def test_signing_out_ends_the_session(client: TestClient, db: Session) -> None:
    issued = portal_links.issue(db, COMMAND_LINE, make_job(db).id, origin=PortalLinkOrigin.OFFICE)
    db.commit()
    use(client, issued.raw_token)
    raw = client.cookies[PORTAL_COOKIE]
    visitor = portal_sessions.visitor(db, raw)
    assert visitor is not None

    without_token = client.post("/portal/sign-out", follow_redirects=False)
    signed_out = client.post(
        "/portal/sign-out", data={"csrf_token": visitor.csrf_token}, follow_redirects=False
    )

    assert without_token.status_code == 403
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/portal/sign-in"
    assert portal_sessions.visitor(db, raw) is None


def test_a_mailed_link_from_the_inbox_signs_the_homeowner_in(
    client: TestClient, db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    job = make_job(db)
    email = db.get(Customer, job.customer_id).email  # type: ignore[union-attr]
    db.commit()
    ask(client, email)
    deliver_queued_links(db, session_maker)

    used = use(client, token_in(smtp.messages[0]))

    assert used.status_code == 303
    assert used.headers["location"] == f"/portal/jobs/{job.id}"
    [link] = db.scalars(sa.select(PortalLink)).all()
    db.refresh(link)
    assert link.used_at is not None
