"""429 storms from the fake QuickBooks over real HTTP, through a whole sync into the database.

QuickBooks answers a throttle with 429, an XML body and no Retry-After (spec digest 1.9, 1.10).
The sync policy backs off with full jitter up to the one-minute window and gives up after 4
minutes of elapsed time, not after a count of tries. The client's clock is the one the recording
sleep moves on (the fake's rate-limit clock too), so a storm of minutes passes in milliseconds.
"""

from __future__ import annotations

import random

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.integrations.quickbooks.client import SYNC_RETRY, THROTTLE_WINDOW, QuickBooksClient
from roofops.models import (
    AccountingInvoice,
    ConnectionStatus,
    IntegrationConnection,
    Provider,
    SyncKind,
    SyncRunStatus,
)
from roofops.sandbox.quickbooks import errors
from roofops.sandbox.quickbooks.books import FakeCompany
from roofops.sandbox.quickbooks.changes import change_jobs
from tests.integrations.quickbooks.conftest import REALM, Harness
from tests.integrations.quickbooks.ledgers import (
    all_figures,
    expected_contract,
    expected_costs,
    figures,
    sync,
)


def storm_client(qbo: Harness, seed: int = 0) -> QuickBooksClient:
    """The sync's client with its default policy, a seeded jitter and the harness's clock."""
    return qbo.client(clock=qbo.sleep.monotonic, rng=random.Random(seed))


def test_the_fake_throttles_like_quickbooks_without_retry_after(qbo: Harness) -> None:
    token = qbo.token()

    def ask() -> httpx.Response:
        return httpx.get(
            f"{qbo.url}/v3/company/{REALM}/query",
            params={"query": "SELECT * FROM Invoice"},
            headers={"Authorization": f"Bearer {token}"},
        )

    qbo.fake.faults.throttle = 1  # the next request
    counted = ask()
    qbo.fake.throttle.storm(60.0)  # every request for a minute of the fake's clock
    stormed = [ask(), ask()]
    qbo.sleep.monotonic.now += 60.0
    after = ask()

    for throttled in (counted, *stormed):
        assert throttled.status_code == 429
        assert "Retry-After" not in throttled.headers
        assert throttled.text == errors.throttle_xml()
    assert after.status_code == 200


def test_a_sync_rides_out_twelve_429s_in_a_row(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    qbo.fake.faults.throttle = 12  # the old policy gave up after 5 tries
    # Only the injected 429s: a full read's ~20 queries inside one second of the test's still
    # clock would also meet the fake's own 10-a-second limit.
    qbo.fake.limits.enabled = False

    run = sync(session_maker, lambda: storm_client(qbo), full=True, kind=SyncKind.FULL)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    waits = qbo.sleep.delays
    assert len(waits) == 12
    assert len(set(waits)) == 12  # jittered, not QuickBooks' flat minute each time
    assert all(0 < wait <= THROTTLE_WINDOW for wait in waits)
    assert sum(waits) <= SYNC_RETRY.give_up_after
    invoiced = [number for number, ledger in books.jobs.items() if ledger.invoices]
    for number in invoiced[:5]:
        row = figures(db, number)
        assert row.contract_cents == expected_contract(books.books, books.jobs[number].invoices)
        for category, cents in expected_costs(books.books, books, number).items():
            assert row.amount(category) == cents, category


@pytest.mark.parametrize("seed", range(3))
def test_a_throttle_shorter_than_the_budget_less_a_minute_is_always_ridden_out(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], seed: int
) -> None:
    """Every wait is at most the minute, so some try always lands inside the 4 minutes."""
    lasts = SYNC_RETRY.give_up_after - THROTTLE_WINDOW - 10
    qbo.fake.throttle.storm(lasts)

    run = sync(session_maker, lambda: storm_client(qbo, seed), full=True, kind=SyncKind.FULL)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert lasts <= sum(qbo.sleep.delays) <= SYNC_RETRY.give_up_after


def test_a_storm_longer_than_the_budget_fails_the_run_and_keeps_the_figures(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    db.add(IntegrationConnection(provider=Provider.QUICKBOOKS, status=ConnectionStatus.CONNECTED))
    db.commit()
    sync(session_maker, lambda: storm_client(qbo), full=True)
    before = all_figures(db)
    invoices_before = db.scalar(sa.select(sa.func.count()).select_from(AccountingInvoice))
    change_jobs(books, 5, seed=4)
    qbo.sleep.delays.clear()
    qbo.fake.throttle.storm(30 * 60.0)

    run = sync(session_maker, lambda: storm_client(qbo), full=True)

    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith("quickbooks answered HTTP 429; gave up after ")
    assert run.error.endswith(" s")
    assert sum(qbo.sleep.delays) <= SYNC_RETRY.give_up_after
    db.expire_all()
    connection = db.scalars(sa.select(IntegrationConnection)).one()
    assert connection.last_error == run.error
    assert all_figures(db) == before
    assert db.scalar(sa.select(sa.func.count()).select_from(AccountingInvoice)) == invoices_before
