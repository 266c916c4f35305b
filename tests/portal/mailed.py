"""Magic links as a homeowner receives them: the local SMTP server's inbox, and the link in a
message. Tests run the queued mail task by hand (the test app runs no background work)."""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from roofops.portal.links import MAIL_TASK, portal_links
from tests.queued import queued_args

LINK = re.compile(r"https?://\S+/portal/sign-in/([A-Za-z0-9_-]+)")


def deliver_queued_links(db: Session, session_maker: sessionmaker[Session]) -> int:
    """Run every queued ``portal.mail_link`` once, as the worker would; how many were sent."""
    db.commit()
    jobs = queued_args(db, MAIL_TASK)
    return sum(portal_links.mail(session_maker, uuid.UUID(args["link_id"])) for args in jobs)


def token_in(message: EmailMessage) -> str:
    found = LINK.search(message.get_content())
    assert found is not None, message.get_content()
    return found.group(1)
