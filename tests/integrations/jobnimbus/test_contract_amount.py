"""The signed price comes in from JobNimbus, and the Profit figures follow it; an amount the
office typed in roofops is never overwritten by a sync."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from roofops.models import FigureSource, Job, JobFinancials, SyncRunStatus
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore
from tests.integrations.jobnimbus.conftest import FakeJobNimbus
from tests.integrations.jobnimbus.syncing import Syncer, count, errors_of, local_job, small_store


def _signed(store: FakeJobNimbusStore) -> dict[str, Any]:
    return next(job for job in store.records("jobs") if job.get("approved_estimate_total"))


def test_the_approved_estimates_total_is_the_contract_amount(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
) -> None:
    store = small_store(fake)
    syncer.connect()
    record = _signed(store)

    syncer.sync()

    job = local_job(db, record["number"])
    expected = round(record["approved_estimate_total"] * 100)
    assert (job.contract_cents, job.contract_source) == (expected, FigureSource.JOBNIMBUS)
    money = db.get(JobFinancials, job.id)
    assert money is not None
    assert (money.contract_cents, money.contract_source) == (expected, FigureSource.JOBNIMBUS)

    store.update("jobs", record["jnid"], {"approved_estimate_total": 31_400.0})
    syncer.sync()

    db.expire_all()
    assert db.get(JobFinancials, job.id).contract_cents == 31_400_00  # type: ignore[union-attr]


def test_an_amount_typed_in_roofops_survives_the_sync(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
) -> None:
    store = small_store(fake)
    syncer.connect()
    record = _signed(store)
    syncer.sync()
    job = local_job(db, record["number"])
    job.contract_cents, job.contract_source = 28_000_00, FigureSource.MANUAL
    db.commit()

    store.update("jobs", record["jnid"], {"approved_estimate_total": 31_400.0})
    syncer.sync(full=True)

    job = local_job(db, record["number"])
    assert (job.contract_cents, job.contract_source) == (28_000_00, FigureSource.MANUAL)


@pytest.mark.parametrize("total", ["NaN", "Infinity", "-120.00", "twelve"])
def test_an_estimate_total_that_is_no_price_is_reported_and_the_rest_comes_in(
    fake: FakeJobNimbus, syncer: Syncer, db: Session, total: str
) -> None:
    store = small_store(fake)
    record = _signed(store)
    store.update("jobs", record["jnid"], {"approved_estimate_total": total})
    syncer.connect()

    run = syncer.sync()

    assert run.status == SyncRunStatus.PARTIAL
    errors = [error for error in errors_of(db, run) if error.external_id == record["jnid"]]
    assert len(errors) == 1
    assert f"approved estimate total '{total}'" in errors[0].message
    assert count(db, Job) == len(store.records("jobs")) - 1
