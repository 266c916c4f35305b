"""Magic links as a homeowner receives them: the local SMTP server's inbox, and the link in a
message. Tests run the queued mail task by hand (the test app runs no background work). And
the company's invitation stage, set as the Settings page sets it."""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.db import session_factory, session_scope
from roofops.job.service import job_service
from roofops.models import JobStage
from roofops.portal.invites import on_stage_change
from roofops.portal.links import MAIL_TASK, portal_links
from tests.queued import queued_args

LINK = re.compile(r"https?://\S+/portal/sign-in/([A-Za-z0-9_-]+)")


def deliver_queued_links(db: Session, session_maker: sessionmaker[Session]) -> int:
    """Run every queued ``portal.mail_link`` once, as the worker would; how many were sent."""
    db.commit()
    return _mail(session_maker, queued_args(db, MAIL_TASK))


def mail_queued_links(database_url: str) -> int:
    """``deliver_queued_links`` on a live server's database (browser tests). The queue is read
    and its session closed first: on SQLite the mail task's write must not wait for it."""
    with session_scope(database_url) as db:
        jobs = queued_args(db, MAIL_TASK)
    return _mail(session_factory(database_url), jobs)


def _mail(session_maker: sessionmaker[Session], jobs: list[dict[str, Any]]) -> int:
    return sum(portal_links.mail(session_maker, uuid.UUID(args["link_id"])) for args in jobs)


def invite_at(db: Session, stage: JobStage | None) -> None:
    """The company invites at ``stage``, with the hook the composition root connects."""
    job_service.connect_stage_hook(on_stage_change)
    company_service.get(db).portal_invite_stage = stage
    db.flush()


def token_in(message: EmailMessage) -> str:
    found = LINK.search(message.get_content())
    assert found is not None, message.get_content()
    return found.group(1)
