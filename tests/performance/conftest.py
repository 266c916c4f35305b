"""The crew world several performance tests share (see tests/performance/world.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from roofops.models.enums import JobStage, JobType
from tests.factories import make_crew, make_requirements
from tests.performance.world import books, days, job_with_history, publish

S, CS, SCH, IP, DONE, PAID = (
    JobStage.LEAD,
    JobStage.CONTRACT_SIGNED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
    JobStage.COMPLETED,
    JobStage.PAID,
)


@pytest.fixture
def crew_world(db: Session) -> dict[str, object]:
    """Crew A finishes two jobs in March 2025 and one in February.

    - on_time: 30 squares, planned Mar 3-5, started Mar 4 (1 day late: within tolerance),
      finished Mar 6 (1 day after the planned end: on time), paid with final figures
      (invoiced $20,000, costs $12,000: 40 % margin); 3 crew-days.
    - late: 20 squares, first planned Mar 6-7, re-planned on Mar 8 to Mar 10-13 (4 crew-days),
      started Mar 10 (4 days late), finished Mar 14, promised by Mar 20 (on time); completed,
      not final; a repair on its property came in on Apr 2: a callback.
    - february: finished Feb 20, outside the period.
    """
    crew = make_crew(db)
    on_time = job_with_history(
        db,
        [
            (S, date(2025, 1, 5)),
            (CS, date(2025, 2, 1)),
            (SCH, date(2025, 2, 25)),
            (IP, date(2025, 3, 4)),
            (DONE, date(2025, 3, 6)),
            (PAID, date(2025, 3, 7)),
        ],
        squares="30",
        crew=crew,
    )
    late = job_with_history(
        db,
        [
            (S, date(2025, 1, 6)),
            (CS, date(2025, 2, 2)),
            (SCH, date(2025, 2, 26)),
            (IP, date(2025, 3, 10)),
            (DONE, date(2025, 3, 14)),
        ],
        squares="20",
        crew=crew,
    )
    february = job_with_history(
        db, [(S, date(2025, 1, 1)), (IP, date(2025, 2, 18)), (DONE, date(2025, 2, 20))], crew=crew
    )
    make_requirements(db, late, promised_by=date(2025, 3, 20))
    publish(
        db,
        date(2025, 2, 25),
        [(on_time, crew, days(date(2025, 3, 3), 3)), (late, crew, days(date(2025, 3, 6), 2))],
    )
    publish(
        db,
        date(2025, 3, 8),
        [(on_time, crew, days(date(2025, 3, 3), 3)), (late, crew, days(date(2025, 3, 10), 4))],
    )
    books(db, on_time, invoiced=2_000_000, materials=1_000_000, labor=200_000)
    repair = job_with_history(db, [(S, date(2025, 4, 2))], job_type=JobType.REPAIR, squares=None)
    repair.property_id = late.property_id
    db.flush()
    return {"crew": crew, "on_time": on_time, "late": late, "february": february, "repair": repair}
