"""The company's mail: the mailer its messages go through, and the name that heads them.

Apart from company.service, which reaches financials (a price change re-estimates jobs): the
notification domain mails through this, and financials reaches notifications."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from roofops.company.repository import CompanyRepository
from roofops.config import get_settings
from roofops.exceptions import Conflict
from roofops.mail import Mailer, mailer_for

UNNAMED = "roofops"
# Senders take the mailer as a parameter: tests pass one that refuses or breaks.
MailerFactory = Callable[[Session], Mailer]


def company_mailer(db: Session) -> Mailer:
    """The configured mailer; the demo company's outbox when SMTP is not set up."""
    company = CompanyRepository(db).current()
    return mailer_for(get_settings(), demo=company is not None and company.is_demo)


def company_name(db: Session) -> str:
    """What heads the company's mail (before the company is set up: roofops)."""
    company = CompanyRepository(db).current()
    return company.name if company is not None else UNNAMED


def mailer_or_reason(db: Session, mailer: MailerFactory) -> Mailer | str:
    """The mailer, or why there is none (mail was unconfigured after the work was queued)."""
    try:
        return mailer(db)
    except Conflict as missing:
        return missing.message
