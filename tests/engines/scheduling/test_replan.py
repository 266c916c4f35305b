"""Re-planning after an event: the new plan is valid for the changed situation, keeps work in
progress, moves what the event broke and little else, and says why each task moved."""

from __future__ import annotations

import dataclasses

import pytest

from roofops.engines.plan_check.schedule import check_schedule
from roofops.engines.scheduling.generator import InstanceSize, generate
from roofops.engines.scheduling.model import Assignment, ScheduleProblem
from roofops.engines.scheduling.replan import (
    REOPTIMISED,
    CrewOut,
    Event,
    LateMaterials,
    Replan,
    TaskOverrun,
    UrgentJob,
    WeatherChange,
    apply_event,
    replan,
)
from roofops.engines.scheduling.solver import SolveSettings, solve
from tests.engines.scheduling.instances import task

LIMIT = 1.0
Published = tuple[ScheduleProblem, tuple[Assignment, ...]]


@pytest.fixture(scope="module")
def published() -> Published:
    instance = generate(InstanceSize(jobs=14, crews=3, days=12, seed=7))
    return instance, solve(instance, SolveSettings(time_limit=1.0, workers=1)).assignments


def replanned_validly(
    instance: ScheduleProblem, plan: tuple[Assignment, ...], event: Event
) -> Replan:
    result = replan(instance, plan, event, LIMIT)
    changed = apply_event(dataclasses.replace(instance, published=plan), event)
    assert check_schedule(changed, result.result.assignments) == ()
    return result


def test_a_crew_out_moves_its_work_on_those_days_and_little_else(published: Published) -> None:
    instance, plan = published
    first = plan[0]
    event = CrewOut(first.crew_id, frozenset({first.start, first.start + 1}))

    result = replanned_validly(instance, plan, event)

    assert first.task_id in result.affected
    broken = {m.task_id: m.reason for m in result.diff.moved if m.task_id in result.affected}
    assert all("is not available on" in reason for reason in broken.values())
    assert result.moved_pct <= 10
    assert all(
        m.reason == REOPTIMISED for m in result.diff.moved if m.task_id not in result.affected
    )


def test_an_overrun_keeps_the_task_in_progress_where_it_is(published: Published) -> None:
    instance, plan = published
    running = plan[0]

    result = replanned_validly(instance, plan, TaskOverrun(running.task_id, 2))

    kept = result.result.assignment(running.task_id)
    assert kept == Assignment(running.task_id, running.crew_id, running.start, running.end + 2)


def test_an_urgent_job_is_added_and_late_materials_push_a_task_later(published: Published) -> None:
    instance, plan = published
    urgent = task("leak/repair", "asphalt", squares=5, promised=1, priority=3)

    added = replanned_validly(instance, plan, UrgentJob((urgent,)))
    assert [a.task_id for a in added.diff.added] == ["leak/repair"]

    late = plan[0]
    pushed = replanned_validly(instance, plan, LateMaterials(late.task_id, late.start + 3))
    after = pushed.result.assignment(late.task_id)
    assert after is None or after.start >= late.start + 3


def test_new_rain_days_move_the_task_off_them(published: Published) -> None:
    instance, plan = published
    wet = plan[-1]
    rain = {wet.task_id: dict.fromkeys(range(wet.start, wet.end), "rain, 0.8 in")}

    result = replanned_validly(instance, plan, WeatherChange(rain))

    assert wet.task_id in result.affected
    after = result.result.assignment(wet.task_id)
    assert after is None or not set(range(after.start, after.end)) & set(rain[wet.task_id])


def test_nothing_moves_when_the_event_breaks_nothing(published: Published) -> None:
    instance, plan = published
    idle_days = frozenset(range(instance.horizon)) - {
        d for a in plan if a.crew_id == plan[0].crew_id for d in range(a.start, a.end)
    }

    result = replanned_validly(instance, plan, CrewOut(plan[0].crew_id, idle_days))

    assert result.affected == frozenset()
    assert result.diff.is_empty


def test_an_unknown_task_in_an_event_is_refused(published: Published) -> None:
    instance, plan = published
    with pytest.raises(ValueError, match="unknown task"):
        apply_event(dataclasses.replace(instance, published=plan), LateMaterials("nope", 3))
