"""roofops bench schedule: a seeded instance scheduled by CP-SAT and by the earliest-due-date
greedy, then one crew out for two days re-planned from the solver's plan.

The disrupted crew is the one with the most work in the plan, out on the first two days from a
third into the horizon on which it works, so the event always breaks published work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from roofops.engines.plan_check.schedule import check_schedule
from roofops.engines.scheduling.generator import InstanceSize, generate
from roofops.engines.scheduling.greedy import greedy_schedule
from roofops.engines.scheduling.model import Assignment, ScheduleProblem, ScheduleResult
from roofops.engines.scheduling.replan import CrewOut, replan
from roofops.engines.scheduling.solver import SolveSettings, solve

REPLAN_LIMIT = 4.0  # seconds of search: the target is 5 s for the whole re-plan, under load too


@dataclass(frozen=True)
class ScheduleBenchSize:
    jobs: int
    crews: int
    days: int
    time_limit: float
    seed: int
    workers: int


def run_schedule_bench(size: ScheduleBenchSize) -> dict[str, Any]:
    """Solve, compare with the greedy, disrupt and re-plan; every plan passes the plan check."""
    problem = generate(InstanceSize(size.jobs, size.crews, size.days, size.seed))
    solved = solve(problem, SolveSettings(size.time_limit, seed=size.seed, workers=size.workers))
    greedy = greedy_schedule(problem)
    event = disruption(problem, solved.assignments)
    started = time.perf_counter()
    replanned = replan(problem, solved.assignments, event, REPLAN_LIMIT, seed=size.seed)
    replan_seconds = time.perf_counter() - started
    changed = _checked(problem, solved, greedy, replanned.result, event)
    return {
        **_figures(solved, "solver"),
        **_figures(greedy, "greedy"),
        "objective": solved.objective,
        "bound": solved.bound,
        "gap_pct": solved.gap_pct,
        "seconds": solved.seconds,
        "status": solved.status,
        "greedy_objective": greedy.objective,
        "tasks": len(problem.tasks),
        "replan_seconds": round(replan_seconds, 2),
        "replan_status": replanned.result.status,
        "moved_pct": replanned.moved_pct,
        "affected": len(replanned.affected),
        "affected_jobs": len(replanned.affected_jobs),
        "untouched_moved": replanned.untouched_moved,
        "event": f"{event.crew_id} out on days {sorted(event.days)}",
        "violations": changed,
    }


def disruption(problem: ScheduleProblem, plan: tuple[Assignment, ...]) -> CrewOut:
    """The busiest crew out on its first two working days from a third into the horizon."""
    busiest = max(problem.crews, key=lambda c: sum(a.days for a in plan if a.crew_id == c.id))
    worked = sorted(day for a in plan if a.crew_id == busiest.id for day in range(a.start, a.end))
    first = next((day for day in worked if day >= problem.horizon // 3), worked[0] if worked else 0)
    return CrewOut(busiest.id, frozenset({first, min(first + 1, problem.horizon - 1)}))


def _figures(result: ScheduleResult, name: str) -> dict[str, Any]:
    return {
        f"{name}_late_days": result.breakdown.late_days,
        f"{name}_weighted_lateness": result.breakdown.lateness,
        f"{name}_travel_km": result.breakdown.travel_km,
        f"{name}_idle": result.breakdown.idle,
        f"{name}_unscheduled": len(result.unscheduled),
    }


def _checked(
    problem: ScheduleProblem,
    solved: ScheduleResult,
    greedy: ScheduleResult,
    replanned: ScheduleResult,
    event: CrewOut,
) -> int:
    """Violations found by the independent plan check over the three plans (0 expected)."""
    from roofops.engines.scheduling.replan import apply_event

    after = apply_event(problem, event)
    return sum(
        len(check_schedule(p, r.assignments))
        for p, r in ((problem, solved), (problem, greedy), (after, replanned))
    )
