"""A portal session sees its own customer and nothing once it expired, was signed out or its
link was revoked."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy.orm import Session

from roofops.kit.time import utcnow
from roofops.portal.sessions import portal_sessions
from tests.factories import make_customer


def test_a_session_knows_its_customer_until_it_expires(db: Session) -> None:
    customer = make_customer(db)
    opened = portal_sessions.open(db, customer.id)

    visitor = portal_sessions.visitor(db, opened.raw_token)
    assert visitor is not None
    assert visitor.customer_id == customer.id
    with time_machine.travel(utcnow() + timedelta(days=31)):
        assert portal_sessions.visitor(db, opened.raw_token) is None


def test_a_signed_out_or_unknown_token_is_nobody(db: Session) -> None:
    customer = make_customer(db)
    opened = portal_sessions.open(db, customer.id)
    portal_sessions.sign_out(db, opened.session.id)

    assert portal_sessions.visitor(db, opened.raw_token) is None
    assert portal_sessions.visitor(db, "not-a-token") is None
