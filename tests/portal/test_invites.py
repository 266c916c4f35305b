"""The automatic invitation: a job reaching the company's chosen stage mails its customer a
portal link once; never for a move from long ago (a first CRM import), never without an
address, never when the company chose none."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.job.service import job_service
from roofops.kit.time import utcnow
from roofops.models import ActorType, Customer, JobStage, JobStageEvent, PortalLink
from roofops.models.portal import PortalLinkOrigin
from roofops.portal.invites import INVITE_TASK, invite, on_stage_change
from tests.factories import make_job
from tests.portal.mailed import deliver_queued_links, invite_at
from tests.queued import queued_args
from tests.smtp import SmtpServer


def run_invitations(db: Session) -> list[bool]:
    return [invite(db, uuid.UUID(args["job_id"])) for args in queued_args(db, INVITE_TASK)]


def test_reaching_the_stage_mails_the_customer_once(
    db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    invite_at(db, JobStage.CONTRACT_SIGNED)
    job = make_job(db, stage=JobStage.ESTIMATE)

    job_service.move_stage(db, SYSTEM, job.id, JobStage.CONTRACT_SIGNED)
    assert queued_args(db, INVITE_TASK) == [{"job_id": str(job.id)}]
    assert run_invitations(db) == [True]
    assert invite(db, job.id) is False  # a second delivery of the task sends nothing

    assert deliver_queued_links(db, session_maker) == 1
    [link] = db.scalars(sa.select(PortalLink)).all()
    assert (link.origin, link.job_id) == (PortalLinkOrigin.AUTOMATION, job.id)
    [mail] = smtp.messages
    assert mail["To"] == link.email


def test_other_stages_and_companies_without_a_stage_send_nothing(db: Session) -> None:
    invite_at(db, JobStage.SCHEDULED)
    job = make_job(db, stage=JobStage.ESTIMATE)
    job_service.move_stage(db, SYSTEM, job.id, JobStage.CONTRACT_SIGNED)

    invite_at(db, None)
    job_service.move_stage(db, SYSTEM, job.id, JobStage.MATERIALS_ORDERED)
    job_service.move_stage(db, SYSTEM, job.id, JobStage.SCHEDULED)

    assert queued_args(db, INVITE_TASK) == []


def test_a_move_older_than_a_day_never_invites(db: Session) -> None:
    invite_at(db, JobStage.CONTRACT_SIGNED)
    job = make_job(db, stage=JobStage.ESTIMATE, stage_changed_at=utcnow() - timedelta(days=30))
    long_ago = utcnow() - timedelta(days=3)

    job_service.move_stage(db, SYSTEM, job.id, JobStage.CONTRACT_SIGNED, occurred_at=long_ago)
    on_stage_change(  # what a first JobNimbus import records for a job signed last year
        db,
        JobStageEvent(
            job_id=job.id,
            to_stage=JobStage.CONTRACT_SIGNED,
            occurred_at=utcnow() - timedelta(days=400),
            recorded_at=utcnow(),
            actor_type=ActorType.SYNC,
        ),
    )

    assert queued_args(db, INVITE_TASK) == []


def test_a_customer_without_email_is_not_invited(db: Session) -> None:
    invite_at(db, JobStage.CONTRACT_SIGNED)
    job = make_job(db, stage=JobStage.ESTIMATE)
    customer = db.get(Customer, job.customer_id)
    assert customer is not None
    customer.email = ""

    job_service.move_stage(db, SYSTEM, job.id, JobStage.CONTRACT_SIGNED)

    assert run_invitations(db) == [False]
    assert db.scalars(sa.select(PortalLink)).all() == []
