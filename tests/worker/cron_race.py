"""One competitor in the cron race: schedules ``tests.race`` every second for a few seconds.

Run as ``python -m tests.worker.cron_race SECONDS`` with ROOFOPS_DATABASE_URL set. Prints one
line per firing: ``RACE <tick> won`` or ``RACE <tick> lost``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime

from sqlalchemy.orm import Session

from roofops.config import get_settings
from roofops.kit.time import utcnow
from roofops.worker.cron import CronScheduler, CronSpec, cron, fire, tick_for
from tests.worker.tasks import evidence


@cron("tests.race", every_seconds=1)
def race_body(db: Session, tick: datetime) -> None:
    db.add(evidence("tests.cron_race", str(os.getpid()), tick=tick.isoformat()))


class ReportingScheduler(CronScheduler):
    def _fire(self, spec: CronSpec) -> None:
        tick = tick_for(spec, utcnow())
        won = fire(spec, database_url=self.database_url, claimed_by=self.claimed_by)
        print(f"RACE {tick.isoformat()} {'won' if won else 'lost'}", flush=True)


def main(seconds: float) -> None:
    scheduler = ReportingScheduler(
        database_url=get_settings().database_url, claimed_by=f"race:{os.getpid()}"
    )
    scheduler.start()
    time.sleep(seconds)
    scheduler.stop()


if __name__ == "__main__":
    main(float(sys.argv[1]))
