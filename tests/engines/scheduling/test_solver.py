"""The CP-SAT scheduler on random small instances: its plans pass the independent plan check,
its objective is the plan's price, and what it leaves out is explained."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from roofops.engines.plan_check.schedule import check_schedule
from roofops.engines.scheduling.greedy import greedy_schedule
from roofops.engines.scheduling.model import Assignment, Lock, ScheduleProblem
from roofops.engines.scheduling.objective import evaluate
from roofops.engines.scheduling.solver import SolveSettings, solve
from roofops.engines.scheduling.windows import placeable_tasks, start_domains
from tests.engines.scheduling.instances import crew, problem, small_problems, task

FAST = SolveSettings(time_limit=0.5, workers=1)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(small_problems())
def test_solver_plans_break_no_rule_and_explain_every_left_out_task(
    instance: ScheduleProblem,
) -> None:
    result = solve(instance, FAST)

    assert check_schedule(instance, result.assignments) == ()
    placed = {a.task_id for a in result.assignments}
    left = {u.task_id for u in result.unscheduled}
    assert placed.isdisjoint(left)
    assert placed | left == {t.id for t in instance.tasks}
    assert all(u.reason for u in result.unscheduled)


@PROPERTY
@given(small_problems())
def test_the_solver_objective_is_the_price_of_its_plan_and_not_above_the_greedy(
    instance: ScheduleProblem,
) -> None:
    result = solve(instance, FAST)
    greedy = greedy_schedule(instance)
    placeable = placeable_tasks(instance, start_domains(instance))

    assert result.objective == evaluate(instance, result.assignments, placeable).total
    assert result.bound <= result.objective <= greedy.objective
    assert check_schedule(instance, greedy.assignments) == ()


def test_unscheduled_tasks_say_why() -> None:
    rain_every_day = dict.fromkeys(range(10), "rain")
    instance = problem(
        [crew("a", "asphalt"), crew("b", "asphalt", "gutters")],
        [
            task("j1/install", "metal"),
            task("j2/install", "asphalt", earliest=9, squares=40),
            task("j3/install", "asphalt", forbidden_days=rain_every_day),
            task("j4/install", "asphalt"),
            task("j4/gutters", "metal", duration_days=1, predecessors=("j4/install",)),
        ],
    )

    result = solve(instance, FAST)

    reasons = {u.task_id: u.reason for u in result.unscheduled}
    assert reasons == {
        "j1/install": "no crew has the skill metal",
        "j2/install": "materials not ready until Fri 13 Mar, too late to finish within the horizon",
        "j3/install": "weather on every workable start (rain)",
        "j4/gutters": "no crew has the skill metal",
    }
    assert result.assignment("j4/install") is not None


def test_a_full_crew_leaves_the_late_job_out_with_a_capacity_reason() -> None:
    instance = problem(
        [crew("a", "asphalt")],
        [task(f"j{i}/install", "asphalt", squares=40, promised=3) for i in range(4)],
        days=6,
    )

    result = solve(instance, FAST)

    assert len(result.assignments) == 3
    assert [u.reason for u in result.unscheduled] == [
        "no skilled crew free before the promised date, nor later within the horizon"
    ]


def test_phases_follow_each_other_and_lateness_is_counted_in_working_days() -> None:
    instance = problem(
        [crew("a", "asphalt", "gutters", rate=10)],
        [
            task("j1/install", "asphalt", squares=30, promised=1),
            task("j1/gutters", "gutters", duration_days=1, predecessors=("j1/install",)),
        ],
    )

    result = solve(instance, FAST)

    install, gutters = result.assignment("j1/install"), result.assignment("j1/gutters")
    assert install is not None
    assert gutters is not None
    assert (install.start, install.end, gutters.start) == (0, 3, 3)
    assert result.breakdown.late_days == 1
    assert result.status == "OPTIMAL"
    assert result.gap_pct == 0


def test_work_in_progress_and_locks_stay_where_they_are() -> None:
    instance = problem(
        [crew("a", "asphalt"), crew("b", "asphalt")],
        [
            task("j1/install", "asphalt", squares=60, lock=Lock("b", 0), in_progress=True),
            task("j2/install", "asphalt", lock=Lock(start=4)),
            task("j3/install", "asphalt", lock=Lock(crew_id="b"), earliest=2),
        ],
    )

    result = solve(instance, FAST)

    assert result.assignment("j1/install") == Assignment("j1/install", "b", 0, 3)
    j2, j3 = result.assignment("j2/install"), result.assignment("j3/install")
    assert j2 is not None
    assert j2.start == 4
    assert j3 is not None
    assert (j3.crew_id, j3.start) == ("b", 3)
