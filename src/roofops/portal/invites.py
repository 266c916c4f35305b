"""The automatic invitation: a job reaching the company's chosen stage
(``portal_invite_stage`` on the Settings page) sends its customer a portal link, once.

The job service tells :func:`on_stage_change` of every stage it records, in the move's own
transaction; a queued task (``portal.invite``) then sends the link, so it is queued only if the
move commits. A move that happened more than a day before it was recorded is history (a first
CRM import, a backdated entry): it never mails the homeowner.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.company.service import company_service
from roofops.exceptions import Conflict
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.models.job import JobStageEvent
from roofops.models.portal import PortalLinkOrigin
from roofops.portal.links import portal_links
from roofops.portal.repository import LinkedJobRepository, PortalLinkRepository
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

log = get_logger(__name__)
INVITE_TASK = "portal.invite"
RECENT = timedelta(days=1)


def on_stage_change(db: Session, event: JobStageEvent) -> None:
    """Queue the invitation when the job reaches the invitation stage now."""
    if as_utc(event.occurred_at) < utcnow() - RECENT:
        return
    if event.to_stage == company_service.portal_invite_stage(db):
        enqueue(db, INVITE_TASK, job_id=str(event.job_id))


def invite(db: Session, job_id: uuid.UUID) -> bool:
    """Send the job's customer their link unless the automation already did (under the job's
    row lock, so two invitations of one job cannot both send) or they have no e-mail."""
    job = LinkedJobRepository(db).with_customer(job_id, lock=True)
    if job is None or not job.customer.email:
        return False
    if PortalLinkRepository(db).sent_by_automation(job_id):
        return False
    try:
        portal_links.send(db, SYSTEM, job_id, origin=PortalLinkOrigin.AUTOMATION)
    except Conflict as refused:  # mail is not configured: nothing to retry
        log.warning("portal.invite.skipped", job=str(job_id), reason=refused.message)
        return False
    return True


@task(INVITE_TASK)
def invite_task(db: Session, *, job_id: str) -> None:
    invite(db, uuid.UUID(job_id))
