"""Magic links: single use, expiring, revocable, tied to one customer, mailed after commit
with the token nowhere but in the mail."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service
from roofops.auth.principal import COMMAND_LINE
from roofops.exceptions import Conflict, NotAuthenticated, ValidationFailed
from roofops.kit.crypto import sha256_hex
from roofops.kit.time import utcnow
from roofops.models import Customer, Job, PortalLink, PortalLinkOrigin
from roofops.portal.links import MAIL_TASK, LinkStatus, portal_links
from roofops.portal.sessions import portal_sessions
from tests.factories import make_job
from tests.portal.mailed import deliver_queued_links, token_in
from tests.queued import queued_args
from tests.smtp import SmtpServer

OFFICE = PortalLinkOrigin.OFFICE


def customer_of(db: Session, job: Job) -> Customer:
    customer = db.get(Customer, job.customer_id)
    assert customer is not None
    return customer


def test_a_link_stores_only_its_hash_and_signs_its_customer_in_once(db: Session) -> None:
    job = make_job(db)
    issued = portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE)

    assert issued.url == f"http://127.0.0.1:8000/portal/sign-in/{issued.raw_token}"
    assert issued.link.token_hash == sha256_hex(issued.raw_token)
    assert issued.link.email == customer_of(db, job).email
    stored = db.execute(sa.select(PortalLink.__table__)).mappings().all()
    assert issued.raw_token not in json.dumps([dict(row) for row in stored], default=str)
    [audit] = audit_service.history(db, "portal_link", issued.link.id)
    assert issued.raw_token not in json.dumps(audit.changes)

    signed_in = portal_links.sign_in(db, issued.raw_token)
    assert signed_in.job_id == job.id
    visitor = portal_sessions.visitor(db, signed_in.opened.raw_token)
    assert visitor is not None
    assert visitor.customer_id == job.customer_id
    with pytest.raises(NotAuthenticated, match="expired or was already used"):
        portal_links.sign_in(db, issued.raw_token)


def test_the_link_goes_to_the_customers_email_unless_another_is_given(db: Session) -> None:
    job = make_job(db)
    issued = portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE, email=" Pat@Home.Example ")
    assert issued.link.email == "pat@home.example"


def test_a_customer_without_email_needs_an_address(db: Session) -> None:
    job = make_job(db)
    customer_of(db, job).email = ""
    db.flush()

    with pytest.raises(ValidationFailed, match="has no e-mail address") as refused:
        portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE)
    assert refused.value.status_code == 422


def test_an_expired_link_is_refused(db: Session) -> None:
    issued = portal_links.issue(db, COMMAND_LINE, make_job(db).id, origin=OFFICE)

    later = utcnow() + timedelta(hours=72, seconds=1)
    with time_machine.travel(later), pytest.raises(NotAuthenticated):
        portal_links.sign_in(db, issued.raw_token)
    db.refresh(issued.link)
    assert issued.link.used_at is None


def test_unknown_and_tampered_tokens_are_refused_alike(db: Session) -> None:
    issued = portal_links.issue(db, COMMAND_LINE, make_job(db).id, origin=OFFICE)
    tampered = issued.raw_token[:-1] + ("A" if issued.raw_token[-1] != "A" else "B")

    for token in (tampered, "", "x" * 500, issued.raw_token.upper()):
        with pytest.raises(NotAuthenticated, match="expired or was already used"):
            portal_links.sign_in(db, token)
    portal_links.sign_in(db, issued.raw_token)  # the real one still works


def test_revoking_a_link_ends_its_sessions_and_refuses_it(db: Session) -> None:
    job = make_job(db)
    used = portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE)
    unused = portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE)
    session = portal_links.sign_in(db, used.raw_token).opened

    portal_links.revoke(db, COMMAND_LINE, used.link.id)
    portal_links.revoke(db, COMMAND_LINE, unused.link.id)

    assert portal_sessions.visitor(db, session.raw_token) is None
    with pytest.raises(NotAuthenticated):
        portal_links.sign_in(db, unused.raw_token)
    with pytest.raises(Conflict, match="already revoked"):
        portal_links.revoke(db, COMMAND_LINE, used.link.id)
    statuses = {v.link.id: v.status for v in portal_links.links_of_job(db, job.id)}
    assert statuses == {used.link.id: LinkStatus.REVOKED, unused.link.id: LinkStatus.REVOKED}


def test_the_office_list_shows_each_links_status(db: Session) -> None:
    job = make_job(db)
    used = portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE)
    portal_links.sign_in(db, used.raw_token)
    active = portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE)
    with time_machine.travel(utcnow() - timedelta(days=5)):
        expired = portal_links.issue(db, COMMAND_LINE, job.id, origin=OFFICE)

    views = portal_links.links_of_job(db, job.id)

    assert [(v.link.id, v.status) for v in views] == [  # newest first
        (active.link.id, LinkStatus.ACTIVE),
        (used.link.id, LinkStatus.USED),
        (expired.link.id, LinkStatus.EXPIRED),
    ]
    assert {v.created_by for v in views} == {None}  # the command line is nobody's user


def test_a_link_of_customer_a_never_opens_customer_bs_session(db: Session) -> None:
    job_a, job_b = make_job(db), make_job(db)
    issued = portal_links.issue(db, COMMAND_LINE, job_a.id, origin=OFFICE)

    visitor = portal_sessions.visitor(
        db, portal_links.sign_in(db, issued.raw_token).opened.raw_token
    )

    assert visitor is not None
    assert visitor.customer_id == job_a.customer_id != job_b.customer_id


def test_a_sent_link_is_mailed_after_commit_with_a_token_only_the_mail_holds(
    db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    job = make_job(db, number="R-77")
    link = portal_links.send(db, COMMAND_LINE, job.id, origin=OFFICE)
    assert smtp.messages == []  # nothing leaves before the commit
    assert queued_args(db, MAIL_TASK) == [{"link_id": str(link.id)}]

    assert deliver_queued_links(db, session_maker) == 1

    [mail] = smtp.messages
    assert mail["To"] == link.email
    assert "your project link" in mail["Subject"]
    text = mail.get_content()
    assert "Main St, Denver, CO 80202" in text
    assert "works once, until" in text
    assert "If you did not ask for this, you can ignore this e-mail." in text
    token = token_in(mail)
    assert portal_links.sign_in(db, token).job_id == job.id


def test_a_link_used_or_revoked_before_the_worker_ran_is_not_mailed(
    db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    link = portal_links.send(db, COMMAND_LINE, make_job(db).id, origin=OFFICE)
    portal_links.revoke(db, COMMAND_LINE, link.id)

    assert deliver_queued_links(db, session_maker) == 0
    assert smtp.messages == []


def test_sending_is_refused_at_once_when_mail_is_not_configured(db: Session) -> None:
    with pytest.raises(Conflict, match="mail is not configured"):
        portal_links.send(db, COMMAND_LINE, make_job(db).id, origin=OFFICE)


def test_asking_by_email_sends_one_link_per_customer_with_an_open_job(
    db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    first, second, archived = make_job(db), make_job(db), make_job(db)
    for job in (first, second, archived):
        customer_of(db, job).email = "Pat.Doe@Example.com"
    archived.archived_at = utcnow()
    make_job(db, number="R-SAME")  # a later job of another customer stays out
    db.flush()

    portal_links.request_by_email(db, " pat.doe@example.COM ", "203.0.113.9")
    portal_links.request_by_email(db, "nobody@example.com", "203.0.113.9")

    assert deliver_queued_links(db, session_maker) == 2
    assert sorted(m["To"] for m in smtp.messages) == ["pat.doe@example.com"] * 2
    links = db.scalars(sa.select(PortalLink)).all()
    assert {link.customer_id for link in links} == {first.customer_id, second.customer_id}
    assert {link.origin for link in links} == {PortalLinkOrigin.REQUESTED}
