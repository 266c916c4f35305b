"""Inserting left-out tasks by moving one placed task out of the way."""

from __future__ import annotations

from roofops.engines.plan_check.schedule import check_schedule
from roofops.engines.scheduling.model import Assignment, Lock
from roofops.engines.scheduling.repair import insert_by_ejection
from roofops.engines.scheduling.windows import start_domains
from tests.engines.scheduling.instances import crew, problem, task


def test_a_blocking_task_is_moved_to_its_next_free_slot() -> None:
    instance = problem(
        [crew("a", "asphalt")],
        [task("j1/install", "asphalt"), task("j2/install", "asphalt", lock=Lock("a", 0))],
        days=3,
    )
    plan = [Assignment("j1/install", "a", 0, 1)]

    repaired = insert_by_ejection(instance, start_domains(instance), plan, ["j2/install"])

    assert sorted(repaired, key=lambda a: a.start) == [
        Assignment("j2/install", "a", 0, 1),
        Assignment("j1/install", "a", 1, 2),
    ]
    assert check_schedule(instance, repaired) == ()


def test_locked_work_is_never_ejected_and_a_task_that_fits_nowhere_stays_out() -> None:
    instance = problem(
        [crew("a", "asphalt")],
        [
            task("j1/install", "asphalt", lock=Lock("a", 0)),
            task("j2/install", "asphalt", forbidden_days={1: "rain"}),
        ],
        days=2,
    )
    plan = [Assignment("j1/install", "a", 0, 1)]

    repaired = insert_by_ejection(instance, start_domains(instance), plan, ["j2/install"])

    assert repaired == (Assignment("j1/install", "a", 0, 1),)
