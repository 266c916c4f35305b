"""Cron that runs each tick once, however many processes schedule it.

Every process runs APScheduler; when a job fires, the process first inserts the claim row
(job name, tick) and only the one whose insert went in runs the body, in the same transaction.
The tick is the scheduled fire time, derived from the clock floored to the schedule's
granularity, so every process names the same tick (clocks must be NTP-synced, as usual).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.db import session_scope
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.worker.repository import CronClaimRepository

log = get_logger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CronSpec:
    name: str
    func: Callable[[Session, datetime], None]
    every_seconds: int | None = None
    crontab: str | None = None

    @property
    def granularity_seconds(self) -> int:
        return self.every_seconds or 60

    def trigger(self, timezone: str) -> Any:
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.every_seconds:
            return IntervalTrigger(seconds=self.every_seconds, start_date=EPOCH, timezone=UTC)
        return CronTrigger.from_crontab(self.crontab or "* * * * *", timezone=timezone)


_CRONS: dict[str, CronSpec] = {}


def cron(
    name: str, *, every_seconds: int | None = None, crontab: str | None = None
) -> Callable[[F], F]:
    """Register ``func(db, tick)`` to run on a schedule; bodies usually enqueue the real work."""
    if (every_seconds is None) == (crontab is None):
        raise ValueError("give exactly one of every_seconds or crontab")

    def register(func: F) -> F:
        _CRONS[name] = CronSpec(name, func, every_seconds, crontab)
        return func

    return register


def all_crons() -> list[CronSpec]:
    return sorted(_CRONS.values(), key=lambda spec: spec.name)


def tick_for(spec: CronSpec, now: datetime) -> datetime:
    step = spec.granularity_seconds
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % step)


def fires_within(crontab: str, zone: ZoneInfo, tick: datetime, window: timedelta) -> bool:
    """Whether the crontab, read in ``zone``, fires in ``(tick - window, tick]``: a job that
    runs every ``window`` in UTC follows a setting's crontab in the company's time zone."""
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(crontab, timezone=zone)
    start = tick - window + timedelta(microseconds=1)
    next_fire = trigger.get_next_fire_time(None, start)
    return next_fire is not None and next_fire <= tick


def fire(spec: CronSpec, *, database_url: str, claimed_by: str) -> bool:
    """Claim this tick and run the body; returns False when another process had it."""
    tick = tick_for(spec, utcnow())
    with session_scope(database_url) as db:
        if not CronClaimRepository(db).claim(spec.name, tick, claimed_by):
            return False
        spec.func(db, tick)
    log.info("cron.tick.ran", job=spec.name, tick=tick.isoformat())
    return True


class CronScheduler:
    """APScheduler in a background thread, firing every registered cron through ``fire``."""

    def __init__(self, *, database_url: str, claimed_by: str, timezone: str = "UTC") -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self.database_url = database_url
        self.claimed_by = claimed_by
        self._scheduler = BackgroundScheduler(timezone=UTC)
        for spec in all_crons():
            self._scheduler.add_job(
                self._fire,
                trigger=spec.trigger(timezone),
                args=[spec],
                id=spec.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=30,
            )

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        self._scheduler.shutdown(wait=False)

    def _fire(self, spec: CronSpec) -> None:
        try:
            fire(spec, database_url=self.database_url, claimed_by=self.claimed_by)
        except Exception:
            log.exception("cron.tick.failed", job=spec.name)
