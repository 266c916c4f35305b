"""Crew figures against hand-computed rows: squares per crew-day, on-time start and finish,
callbacks and margin over final jobs only; the drill-downs list the same jobs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from roofops.exceptions import PermissionDenied
from roofops.models.enums import JobStage, JobType, Role
from roofops.performance.results import Figure
from roofops.performance.service import performance_service
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
MARCH = (date(2025, 3, 1), date(2025, 3, 31))


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


def test_crew_figures_match_the_hand_computed_rows(db: Session, crew_world: dict) -> None:
    [row] = performance_service.crews(db, Role.ADMIN, *MARCH)
    assert row.crew_id == crew_world["crew"].id
    assert row.completed_jobs == 2
    assert (row.squares, row.crew_days) == (50.0, 7)
    assert row.squares_per_crew_day == pytest.approx(50 / 7)
    assert (row.on_time_starts, row.starts_measured) == (1, 2)
    assert (row.on_time_finishes, row.finishes_measured) == (2, 2)
    assert (row.callbacks, row.callback_rate) == (1, 0.5)
    assert row.callback_window_open == 0  # both windows closed long ago
    assert row.margin is not None
    assert (row.margin.final_jobs, row.margin.open_jobs) == (1, 1)
    assert row.margin.value == pytest.approx(0.4)
    assert row.margin.revenue_cents == 2_000_000
    assert row.margin.source_shares == {"quickbooks": 1.0}


def test_money_is_left_out_without_view_money(db: Session, crew_world: dict) -> None:
    [row] = performance_service.crews(db, Role.DISPATCHER, *MARCH)
    assert row.margin is None
    with pytest.raises(PermissionDenied):
        performance_service.drill_down(
            db,
            Role.DISPATCHER,
            Figure.CREW_MARGIN,
            period_start=MARCH[0],
            period_end=MARCH[1],
            subject=str(crew_world["crew"].id),
        )


@pytest.mark.parametrize(
    ("figure", "numbers"),
    [
        (
            Figure.CREW_SQUARES,
            {
                "on_time": {"squares": 30.0, "crew_days": 3},
                "late": {"squares": 20.0, "crew_days": 4},
            },
        ),
        (Figure.CREW_ON_TIME_START, {"on_time": {"on_time": True}, "late": {"on_time": False}}),
        (
            Figure.CREW_ON_TIME_FINISH,
            {
                "on_time": {"due_by": "planned end", "on_time": True},
                "late": {"due_by": "promised date", "on_time": True},
            },
        ),
        (Figure.CREW_CALLBACKS, {"on_time": {"callbacks": ""}, "late": {"callbacks": "repair"}}),
        (
            Figure.CREW_MARGIN,
            {"on_time": {"final": True, "margin": 0.4}, "late": {"final": False, "margin": None}},
        ),
    ],
)
def test_each_drill_down_lists_the_jobs_behind_the_figure(
    db: Session, crew_world: dict, figure: Figure, numbers: dict[str, dict[str, object]]
) -> None:
    found = performance_service.drill_down(
        db,
        Role.ADMIN,
        figure,
        period_start=MARCH[0],
        period_end=MARCH[1],
        subject=str(crew_world["crew"].id),
    )
    rows = {row.number: row.values for row in found.rows}
    expected_numbers = {crew_world[name].number for name in numbers}
    assert set(rows) == expected_numbers
    for name, values in numbers.items():
        shown = rows[crew_world[name].number]
        for key, value in values.items():
            expected = crew_world["repair"].number if value == "repair" else value
            assert shown[key] == (
                pytest.approx(expected) if isinstance(expected, float) else expected
            )
