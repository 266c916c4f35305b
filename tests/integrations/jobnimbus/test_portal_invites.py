"""A stage reached in JobNimbus invites the homeowner to the portal like a move in roofops,
but only when it happened lately: a first import of old history mails nobody."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.kit.time import utcnow
from roofops.models import JobStage, SyncRunStatus
from roofops.portal.invites import INVITE_TASK
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore
from tests.integrations.jobnimbus.conftest import Clock, FakeJobNimbus
from tests.integrations.jobnimbus.syncing import Crm, Syncer, local_job
from tests.portal.mailed import invite_at
from tests.queued import queued_args


@pytest.fixture
def crm(fake: FakeJobNimbus, clock: Clock) -> Crm:
    return Crm(fake.use(FakeJobNimbusStore(clock=clock)), clock)


def test_a_contract_signed_in_the_crm_today_invites_and_last_years_does_not(
    crm: Crm, syncer: Syncer, db: Session
) -> None:
    invite_at(db, JobStage.CONTRACT_SIGNED)
    db.commit()
    syncer.connect()
    signed_long_ago = crm.new_job()
    crm.move(signed_long_ago, "Signed Contract")  # the fake's clock: mid-2025

    assert syncer.sync().status == SyncRunStatus.SUCCEEDED
    assert queued_args(db, INVITE_TASK) == []

    crm.clock.now = utcnow() - timedelta(hours=3)
    signed_today = crm.new_job()
    crm.move(signed_today, "Signed Contract")
    syncer.sync()

    job = local_job(db, signed_today["number"])
    assert queued_args(db, INVITE_TASK) == [{"job_id": str(job.id)}]
