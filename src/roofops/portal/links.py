"""Magic links: how a homeowner signs in to the portal (docs/portal.md, Signing in).

A link is a random token; only its SHA-256 is stored. It signs its customer in once, before
it expires (ROOFOPS_PORTAL_LINK_TTL_HOURS), unless revoked; revoking it also ends the sessions
it opened. E-mailed links are minted by the background task that sends them, after the
request's commit: the raw token then lives only in that task's memory and the mail, never in
the queue, the database or a log line.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service, change
from roofops.auth.principal import SYSTEM, Principal
from roofops.company.mailer import MailerFactory, company_mailer, company_name, mailer_or_reason
from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.exceptions import Conflict, NotAuthenticated, ValidationFailed
from roofops.invoice.service import site_address
from roofops.kit.crypto import random_token, sha256_hex
from roofops.kit.repository import found
from roofops.kit.schemas import normalized_email
from roofops.kit.time import utcnow
from roofops.kit.types import StrEnum
from roofops.logging import get_logger
from roofops.mail import Mail, MailFailed
from roofops.models.customer import Customer
from roofops.models.enums import ActorType, Role
from roofops.models.job import Job
from roofops.models.portal import PortalAction, PortalLink, PortalLinkOrigin
from roofops.portal.repository import LinkedJobRepository, LinkRow, PortalLinkRepository
from roofops.portal.sessions import OpenedPortalSession, portal_sessions
from roofops.portal.throttle import portal_throttle
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

log = get_logger(__name__)
MAIL_TASK = "portal.mail_link"
SIGN_IN_PATH = "/portal/sign-in"
# One answer for every link that does not sign in: saying which (unknown, used, expired,
# revoked) would tell a guesser which tokens exist.
UNUSABLE = "this link has expired or was already used; ask for a new one below"


class LinkStatus(StrEnum):
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def status_of(link: PortalLink, now: datetime) -> LinkStatus:
    if link.revoked_at is not None:
        return LinkStatus.REVOKED
    if link.used_at is not None:
        return LinkStatus.USED
    return LinkStatus.EXPIRED if link.expires_at <= now else LinkStatus.ACTIVE


@dataclass(frozen=True)
class IssuedLink:
    raw_token: str  # shown once, to the caller; never stored
    url: str
    link: PortalLink


@dataclass(frozen=True)
class LinkView:
    link: PortalLink
    status: LinkStatus
    created_by: str | None


@dataclass(frozen=True)
class SignedIn:
    opened: OpenedPortalSession
    job_id: uuid.UUID | None  # the job the link was about: the portal opens on it


def link_url(raw_token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}{SIGN_IN_PATH}/{raw_token}"


class PortalLinks:
    def issue(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        *,
        origin: PortalLinkOrigin,
        email: str | None = None,
    ) -> IssuedLink:
        """A new link to ``job_id``'s customer's portal, for ``email`` (the customer's own by
        default; 422 when they have none and none is given). Audited without the token."""
        job = found(LinkedJobRepository(db).with_customer(job_id), "job")
        raw = random_token()
        link = _create(
            db, principal, job, origin=origin, email=_recipient(job.customer, email), raw_token=raw
        )
        return IssuedLink(raw_token=raw, url=link_url(raw), link=link)

    def send(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        *,
        origin: PortalLinkOrigin,
        email: str | None = None,
    ) -> PortalLink:
        """Issue a link and e-mail it once the transaction commits (409 now when mail is not
        configured: the office learns it at once, not from a failed background job)."""
        company_mailer(db)
        issued = self.issue(db, principal, job_id, origin=origin, email=email)
        enqueue(db, MAIL_TASK, link_id=str(issued.link.id))
        return issued.link

    def request_by_email(self, db: Session, email: str, ip_address: str) -> None:
        """The sign-in page's "send me a new link": one link per customer with this e-mail
        and a job that is not archived, else nothing. The caller answers the same either way,
        and both ways return before any mail is sent: the mail leaves from a queued task
        (no enumeration by the answer or by its delay)."""
        address = normalized_email(email)
        keys = {"email": address, "address": ip_address}
        portal_throttle.hit(db, PortalAction.LINK_REQUEST, keys)
        for job in LinkedJobRepository(db).latest_open_job_per_customer(address):
            homeowner = _homeowner(job.customer)
            link = _create(
                db,
                homeowner,
                job,
                origin=PortalLinkOrigin.REQUESTED,
                email=address,
                raw_token=random_token(),
            )
            enqueue(db, MAIL_TASK, link_id=str(link.id))

    def sign_in(self, db: Session, raw_token: str) -> SignedIn:
        """Use a link: it opens a portal session for its customer, once. A link that is
        unknown, expired, revoked or used is refused with one message (401)."""
        repository = PortalLinkRepository(db)
        link = repository.by_token_hash(sha256_hex(raw_token))
        if link is None or not repository.claim(link.id, utcnow()):
            raise NotAuthenticated(UNUSABLE)
        opened = portal_sessions.open(db, link.customer_id, link_id=link.id)
        log.info("portal.signed_in", link=str(link.id), customer=str(link.customer_id))
        return SignedIn(opened=opened, job_id=link.job_id)

    def revoke(self, db: Session, principal: Principal, link_id: uuid.UUID) -> LinkView:
        """Revoke a link: it no longer signs in, and the sessions it opened end at once."""
        link = found(PortalLinkRepository(db).locked(link_id), "portal link")
        if link.revoked_at is not None:
            raise Conflict("this portal link was already revoked", field="link_id")
        link.revoked_at = utcnow()
        audit_service.record(
            db,
            principal,
            action="portal.link_revoked",
            entity_type="portal_link",
            entity_id=link.id,
            changes={"revoked_at": change(None, link.revoked_at)},
        )
        db.flush()
        return _view(found(PortalLinkRepository(db).row(link_id), "portal link"), utcnow())

    def customer_email(self, db: Session, job_id: uuid.UUID) -> str:
        """Where a link about the job goes by default ("" when the customer has none)."""
        return found(LinkedJobRepository(db).with_customer(job_id), "job").customer.email

    def links_of_job(self, db: Session, job_id: uuid.UUID) -> list[LinkView]:
        """Every link sent about the job, newest first, with its status and who sent it."""
        found(LinkedJobRepository(db).get(job_id), "job")
        now = utcnow()
        return [_view(row, now) for row in PortalLinkRepository(db).of_job(job_id)]

    def mail(
        self,
        sessions: sessionmaker[Session],
        link_id: uuid.UUID,
        mailer: MailerFactory = company_mailer,
        *,
        raw_token: str | None = None,
    ) -> bool:
        """The background half: mint the link's token, commit, then mail it (``raw_token``:
        the one the caller holds instead, as the CLI prints the link it mails). A link that no
        longer signs in (used, revoked, expired) is not mailed."""
        with sessions.begin() as db:
            link = PortalLinkRepository(db).locked(link_id)
            if link is None or status_of(link, utcnow()) != LinkStatus.ACTIVE:
                return False
            outbound = mailer_or_reason(db, mailer)
            if isinstance(outbound, str):
                _mail_failed(db, link_id, outbound)
                return False
            raw = raw_token or random_token()
            link.token_hash = sha256_hex(raw)
            mail = _link_mail(db, link, link_url(raw))
        try:
            outbound.send(mail)
        except MailFailed as failed:
            with sessions.begin() as db:
                _mail_failed(db, link_id, failed.message)
            return False
        log.info("portal.link.mailed", link=str(link_id))
        return True


def _recipient(customer: Customer, email: str | None) -> str:
    if email:
        return normalized_email(email)
    if not customer.email:
        raise ValidationFailed(
            f"the customer {customer.display_name} has no e-mail address: record one, or give "
            "the address to send the portal link to (email)",
            field="email",
        )
    return normalized_email(customer.email)


def _homeowner(customer: Customer) -> Principal:
    """The customer as the actor of their own request (audit)."""
    return Principal(
        user_id=None,
        email=customer.email,
        name=customer.display_name,
        role=Role.VIEWER,
        actor_type=ActorType.CUSTOMER,
    )


def _create(
    db: Session,
    principal: Principal,
    job: Job,
    *,
    origin: PortalLinkOrigin,
    email: str,
    raw_token: str,
) -> PortalLink:
    now = utcnow()
    link = PortalLinkRepository(db).add(
        PortalLink(
            customer_id=job.customer_id,
            job_id=job.id,
            email=email,
            token_hash=sha256_hex(raw_token),
            origin=origin,
            created_at=now,
            created_by_id=principal.user_id,
            expires_at=now + timedelta(hours=get_settings().portal_link_ttl_hours),
        )
    )
    audit_service.record(
        db,
        principal,
        action="portal.link_issued",
        entity_type="portal_link",
        entity_id=link.id,
        changes={
            "job": change(None, job.number),
            "email": change(None, email),
            "origin": change(None, origin),
        },
    )
    return link


def _view(row: LinkRow, now: datetime) -> LinkView:
    return LinkView(row.link, status_of(row.link, now), row.created_by)


def _link_mail(db: Session, link: PortalLink, url: str) -> Mail:
    company = company_name(db)
    job = LinkedJobRepository(db).with_customer(link.job_id) if link.job_id else None
    about = f" at {site_address(job.property)}" if job is not None else ""
    local = link.expires_at.astimezone(ZoneInfo(company_service.get(db).time_zone))
    expires = f"{local:%B} {local.day}, {local:%Y at %H:%M %Z}"
    body = "\n".join(
        [
            "Hello,",
            "",
            f"Here is your link to follow your project with {company}{about}:",
            "",
            url,
            "",
            f"The link works once, until {expires}. After that, ask for a new one",
            f"on the sign-in page: {link_url('').rstrip('/')}",
            "",
            "If you did not ask for this, you can ignore this e-mail.",
            "",
            company,
        ]
    )
    return Mail(to=link.email, subject=f"{company}: your project link", body=body + "\n")


def _mail_failed(db: Session, link_id: uuid.UUID, reason: str) -> None:
    log.warning("portal.link.mail_failed", link=str(link_id), reason=reason)
    audit_service.record(
        db,
        SYSTEM,
        action="portal.link_mail_failed",
        entity_type="portal_link",
        entity_id=link_id,
        reason=reason,
    )


portal_links = PortalLinks()


# Registered beside the service, like notifications' mail: every caller of send() queues it.
@task(MAIL_TASK, sessions=True)
def mail_link_task(sessions: sessionmaker[Session], *, link_id: str) -> None:
    portal_links.mail(sessions, uuid.UUID(link_id))
