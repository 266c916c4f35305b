"""Crew figures against hand-computed rows: squares per crew-day, on-time start and finish,
callbacks and margin over final jobs only; the drill-downs list the same jobs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from roofops.exceptions import PermissionDenied
from roofops.models.enums import JobStage, Role
from roofops.models.field import FieldReport, FieldStatus
from roofops.performance.results import Figure
from roofops.performance.service import performance_service
from tests.factories import make_crew
from tests.performance.world import CrewWorld, at, days, job_with_history, publish

MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def test_crew_figures_match_the_hand_computed_rows(db: Session, crew_world: CrewWorld) -> None:
    [row] = performance_service.crews(db, Role.ADMIN, *MARCH)
    assert row.crew_id == crew_world.crew.id
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


def test_money_is_left_out_without_view_money(db: Session, crew_world: CrewWorld) -> None:
    [row] = performance_service.crews(db, Role.DISPATCHER, *MARCH)
    assert row.margin is None
    with pytest.raises(PermissionDenied):
        performance_service.drill_down(
            db,
            Role.DISPATCHER,
            Figure.CREW_MARGIN,
            period_start=MARCH[0],
            period_end=MARCH[1],
            subject=str(crew_world.crew.id),
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
    db: Session, crew_world: CrewWorld, figure: Figure, numbers: dict[str, dict[str, object]]
) -> None:
    found = performance_service.drill_down(
        db,
        Role.ADMIN,
        figure,
        period_start=MARCH[0],
        period_end=MARCH[1],
        subject=str(crew_world.crew.id),
    )
    rows = {row.number: row.values for row in found.rows}
    expected_numbers = {getattr(crew_world, name).number for name in numbers}
    assert set(rows) == expected_numbers
    for name, values in numbers.items():
        shown = rows[getattr(crew_world, name).number]
        for key, value in values.items():
            expected = crew_world.repair.number if value == "repair" else value
            assert shown[key] == (
                pytest.approx(expected) if isinstance(expected, float) else expected
            )


def test_without_a_published_plan_crew_days_come_from_the_stage_history(db: Session) -> None:
    crew = make_crew(db)  # works Monday to Friday
    job = job_with_history(
        db,
        [
            (JobStage.CONTRACT_SIGNED, date(2025, 2, 1)),
            (JobStage.IN_PRODUCTION, date(2025, 3, 7)),  # a Friday
            (JobStage.COMPLETED, date(2025, 3, 10)),  # the Monday after
        ],
        squares="30",
        crew=crew,
    )
    [row] = performance_service.crews(db, Role.DISPATCHER, *MARCH)
    assert (row.crew_days, row.squares_per_crew_day) == (2, 15.0)
    assert row.starts_measured == 0  # never planned: no planned start to be late against
    found = performance_service.drill_down(
        db,
        Role.DISPATCHER,
        Figure.CREW_SQUARES,
        period_start=MARCH[0],
        period_end=MARCH[1],
        subject=str(crew.id),
    )
    [drilled] = found.rows
    assert drilled.number == job.number
    assert drilled.values["days_basis"] == "stage history"


def test_field_reports_are_the_crew_days_where_the_crew_reported(db: Session) -> None:
    crew = make_crew(db)
    job = job_with_history(
        db,
        [
            (JobStage.SCHEDULED, date(2025, 2, 1)),
            (JobStage.IN_PRODUCTION, date(2025, 3, 3)),
            (JobStage.COMPLETED, date(2025, 3, 6)),
        ],
        squares="36",
        crew=crew,
    )
    publish(db, date(2025, 2, 20), [(job, crew, days(date(2025, 3, 3), 5))])
    reports = [
        (date(2025, 3, 3), FieldStatus.EN_ROUTE),  # on the way is not a day on site
        (date(2025, 3, 3), FieldStatus.ON_SITE),
        (date(2025, 3, 3), FieldStatus.FINISHED),  # the same day twice counts once
        (date(2025, 3, 5), FieldStatus.ON_SITE),
        (date(2025, 3, 6), FieldStatus.FINISHED),
        (date(2025, 3, 9), FieldStatus.ON_SITE),  # after the finish: not this job's crew-days
    ]
    for day, status in reports:
        db.add(
            FieldReport(crew_id=crew.id, job_id=job.id, day=day, status=status, occurred_at=at(day))
        )
    db.flush()
    [row] = performance_service.crews(db, Role.ADMIN, *MARCH)
    assert (row.crew_days, row.squares_per_crew_day) == (3, 12.0)
    found = performance_service.drill_down(
        db,
        Role.ADMIN,
        Figure.CREW_SQUARES,
        period_start=MARCH[0],
        period_end=MARCH[1],
        subject=str(crew.id),
    )
    assert found.rows[0].values["days_basis"] == "field reports"
