"""Cron ticks run exactly once, however many processes schedule them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.db import session_scope
from roofops.models import AuditLog, CronClaim
from roofops.worker.cron import CronSpec, cron, tick_for
from roofops.worker.repository import CronClaimRepository
from tests.worker.tasks import clean_runtime_rows

RACE_SECONDS = 6.0


def test_tick_is_the_schedule_slot_not_the_clock() -> None:
    spec = CronSpec("x", lambda db, tick: None, every_seconds=300)
    now = datetime(2026, 11, 23, 10, 7, 42, 123000, tzinfo=UTC)
    assert tick_for(spec, now) == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    minutely = CronSpec("y", lambda db, tick: None, crontab="17 * * * *")
    assert tick_for(minutely, now) == datetime(2026, 11, 23, 10, 7, tzinfo=UTC)


def test_a_tick_is_claimed_once(db: Session) -> None:
    claims = CronClaimRepository(db)
    tick = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    assert claims.claim("nightly", tick, "a") is True
    assert claims.claim("nightly", tick, "b") is False
    assert claims.claim("nightly", tick.replace(hour=3), "b") is True


def test_cron_needs_exactly_one_schedule() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        cron("bad")


@pytest.mark.slow
def test_two_processes_run_each_tick_once(database_url: str) -> None:
    clean_runtime_rows(database_url)
    env = {**os.environ, "ROOFOPS_DATABASE_URL": database_url, "ROOFOPS_LOG_LEVEL": "ERROR"}
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.worker.cron_race", str(RACE_SECONDS)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [racer.communicate(timeout=60)[0] for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0]
    try:
        _assert_each_tick_ran_once(database_url, outputs)
    finally:
        clean_runtime_rows(database_url)
        with session_scope(database_url) as db:
            db.execute(sa.delete(CronClaim).where(CronClaim.job_name == "tests.race"))


def _assert_each_tick_ran_once(url: str, outputs: list[str]) -> None:
    attempts = [_attempts(output) for output in outputs]
    shared = set(attempts[0]) & set(attempts[1])
    assert len(shared) >= RACE_SECONDS - 2, "both processes must compete for the same ticks"
    for tick in shared:
        assert sorted([attempts[0][tick], attempts[1][tick]]) == ["lost", "won"], tick
    with session_scope(url) as db:
        ran = db.scalars(
            sa.select(AuditLog.changes).where(AuditLog.action == "tests.cron_race")
        ).all()
    runs_per_tick = Counter(changes["tick"] for changes in ran)
    wins = sum(value == "won" for attempt in attempts for value in attempt.values())
    assert set(runs_per_tick.values()) == {1}
    assert sum(runs_per_tick.values()) == wins
    print(f"cron race: {len(runs_per_tick)} ticks, each run once; {len(shared)} contested")


def _attempts(output: str) -> dict[str, str]:
    rows = (line.split() for line in output.splitlines())
    return {row[1]: row[2] for row in rows if row and row[0] == "RACE"}
