"""The CP-SAT scheduler.

One optional fixed-size interval per feasible (task, crew) pair whose start's domain is that
pair's precomputed workable starts (so skills, availability, weather, materials, locks and
contiguity are hard by construction); the task's start and end follow the chosen pair.
Exactly one pair or the task's "unscheduled" literal is true; crews never overlap; phases
follow their predecessors. Redundant capacity rows per crew (days worked by tasks released from
day a fit the crew's available days from a) tell the linear relaxation that not every task
can go to its nearest crew. The time-indexed LP (relaxation.py) runs first for a stronger bound
and a warm start.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from roofops.engines.plan_check.schedule import check_schedule
from roofops.engines.scheduling.explain import explain_unscheduled
from roofops.engines.scheduling.greedy import greedy_schedule
from roofops.engines.scheduling.model import (
    Assignment,
    CrewSpec,
    ScheduleProblem,
    ScheduleResult,
    TaskSpec,
    Unscheduled,
)
from roofops.engines.scheduling.objective import commute_km, evaluate
from roofops.engines.scheduling.relaxation import Relaxation, solve_relaxation
from roofops.engines.scheduling.repair import insert_by_ejection
from roofops.engines.scheduling.windows import Domains, placeable_tasks, start_domains

LP_SHARE = 0.3  # of the time limit GLOP may take on the relaxation
DEFAULT_WORKERS = 2  # the production workers and the bench machine have 2 cores
CAPACITY_STEP = 3  # working days between the release dates of the redundant capacity rows


@dataclass(frozen=True)
class SolveSettings:
    """Search settings: wall-clock limit, seed, parallel workers, warm start."""

    time_limit: float = 30.0
    seed: int = 0
    workers: int = DEFAULT_WORKERS
    hint: tuple[Assignment, ...] = ()  # the published plan, or the greedy one when empty
    change_weights: dict[str, int] = field(default_factory=dict)  # per task, over weights.change
    relaxation: bool = True  # solve the time-indexed LP first: its bound and its rounded plan

    def __post_init__(self) -> None:
        if self.time_limit <= 0 or self.workers < 1:
            raise ValueError("a positive time limit and at least one worker")


@dataclass
class _Task:
    """The solver's variables for one task."""

    spec: TaskSpec
    start: Any
    end: Any
    unscheduled: Any
    pairs: dict[str, Any]  # crew id -> (presence literal, interval)
    late: Any  # working days after the promised day (0 without one)


def solve(problem: ScheduleProblem, settings: SolveSettings | None = None) -> ScheduleResult:
    """Find the cheapest plan CP-SAT can prove within the time limit.

    Parameters
    ----------
    problem : ScheduleProblem
        Horizon, crews, tasks, the published plan (changes to it cost ``weights.change``) and
        weights.
    settings : SolveSettings, optional
        Time limit, seed, workers and hint; without a hint the search starts from the cheaper
        of the cost-aware greedy and the rounded LP plan.

    Returns
    -------
    ScheduleResult
        The plan, its objective, CP-SAT's best bound, the gap in % of the objective, the wall
        time and the status. Tasks no crew can take are reported unscheduled with the reason.
        The bound is the better of CP-SAT's and the time-indexed LP's (both proven). With no
        solution in time the warm start is returned if it passes the plan check (status
        WARM_START); otherwise every task is unscheduled with that reason.
    """
    from ortools.sat.python import cp_model

    settings = settings or SolveSettings()
    started = time.perf_counter()
    domains = start_domains(problem)
    placeable = placeable_tasks(problem, domains)
    relaxed = _relaxation(problem, domains, placeable, settings)
    model = cp_model.CpModel()
    tasks = {
        tid: _task_vars(model, problem, problem.task(tid), domains) for tid in sorted(placeable)
    }
    _crew_constraints(model, problem, tasks)
    _precedence(model, tasks)
    objective = _objective(model, problem, tasks, settings)
    model.minimize(objective)
    warm = settings.hint or _warm_start(problem, domains, placeable, relaxed)
    _hint(model, tasks, warm)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(
        0.05, settings.time_limit - (time.perf_counter() - started)
    )
    solver.parameters.num_workers = settings.workers
    solver.parameters.random_seed = settings.seed
    # Probing took 7 of 30 s on 300 jobs and moved neither the bound nor the first solution.
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(model)
    lp_bound = relaxed.bound if relaxed else 0
    return _result(
        problem, domains, placeable, tasks, solver=solver, status=status, started=started,
        lp_bound=lp_bound, warm=warm,
    )  # fmt: skip


def _task_vars(model: Any, problem: ScheduleProblem, task: TaskSpec, domains: Domains) -> _Task:
    """Per crew a start whose domain is the workable starts; the task's start and end follow
    the chosen crew's (per-pair starts keep the domains exact, which CP-SAT's scheduling
    neighbourhoods exploit)."""
    from ortools.sat.python import cp_model

    horizon = problem.horizon
    start = model.new_int_var(0, horizon, f"start[{task.id}]")
    end = model.new_int_var(0, horizon, f"end[{task.id}]")
    unscheduled = model.new_bool_var(f"unscheduled[{task.id}]")
    pairs: dict[str, Any] = {}
    for crew_id, starts in domains[task.id].items():
        present = model.new_bool_var(f"on[{task.id},{crew_id}]")
        duration = task.duration_for(problem.crew(crew_id))
        pair_start = model.new_int_var_from_domain(
            cp_model.Domain.from_values(list(starts)), f"start[{task.id},{crew_id}]"
        )
        interval = model.new_optional_fixed_size_interval_var(
            pair_start, duration, present, f"interval[{task.id},{crew_id}]"
        )
        model.add(start == pair_start).only_enforce_if(present)
        model.add(end == pair_start + duration).only_enforce_if(present)
        pairs[crew_id] = (present, interval)
    model.add_exactly_one([present for present, _ in pairs.values()] + [unscheduled])
    model.add(start == 0).only_enforce_if(unscheduled)
    model.add(end == 0).only_enforce_if(unscheduled)
    if task.in_progress:
        model.add(unscheduled == 0)
    late = 0
    if task.promised is not None:
        late = model.new_int_var(0, horizon, f"late[{task.id}]")
        model.add(late >= end - 1 - task.promised)
    return _Task(task, start, end, unscheduled, pairs, late)


def _crew_constraints(model: Any, problem: ScheduleProblem, tasks: dict[str, _Task]) -> None:
    for crew in problem.crews:
        on_crew = [(t, t.pairs[crew.id]) for t in tasks.values() if crew.id in t.pairs]
        model.add_no_overlap([interval for _, (_, interval) in on_crew])
        _capacity_rows(model, problem, crew, on_crew)


def _capacity_rows(
    model: Any, problem: ScheduleProblem, crew: CrewSpec, on_crew: list[tuple[_Task, Any]]
) -> None:
    """Redundant rows for the linear relaxation: the days worked by tasks whose materials
    arrive on day ``a`` or later fit in the crew's available days from ``a`` on."""
    for first in range(0, problem.horizon, CAPACITY_STEP):
        later = [(t, present) for t, (present, _) in on_crew if t.spec.earliest >= first]
        available = sum(1 for day in range(first, problem.horizon) if day not in crew.unavailable)
        if later:
            model.add(sum(t.spec.duration_for(crew) * present for t, present in later) <= available)


def _precedence(model: Any, tasks: dict[str, _Task]) -> None:
    for task in tasks.values():
        for before_id in task.spec.predecessors:
            before = tasks[before_id]
            model.add_implication(before.unscheduled, task.unscheduled)
            model.add(before.end <= task.start).only_enforce_if(task.unscheduled.Not())


def _objective(
    model: Any, problem: ScheduleProblem, tasks: dict[str, _Task], settings: SolveSettings
) -> Any:
    weights = problem.weights
    terms: list[Any] = []
    for task in tasks.values():
        spec = task.spec
        terms.append(weights.unscheduled * task.unscheduled)
        for crew_id, (present, _) in task.pairs.items():
            crew = problem.crew(crew_id)
            daily = weights.travel_per_km * commute_km(spec, crew)
            terms.append(daily * spec.duration_for(crew) * present)
        terms.append(weights.lateness * spec.priority * task.late)
    terms.extend(_idle_terms(model, problem, tasks))
    terms.extend(_change_terms(model, problem, tasks, settings))
    return sum(terms)


def _idle_terms(model: Any, problem: ScheduleProblem, tasks: dict[str, _Task]) -> list[Any]:
    """Per crew: (last end - first start) - days worked, the idle days inside its span."""
    weight = problem.weights.idle
    if not weight:
        return []
    terms: list[Any] = []
    for crew in problem.crews:
        on_crew = [(t, t.pairs[crew.id][0]) for t in tasks.values() if crew.id in t.pairs]
        if not on_crew:
            continue
        first = model.new_int_var(0, problem.horizon, f"first[{crew.id}]")
        last = model.new_int_var(0, problem.horizon, f"last[{crew.id}]")
        model.add(first <= last)
        for task, present in on_crew:
            model.add(first <= task.start).only_enforce_if(present)
            model.add(last >= task.end).only_enforce_if(present)
        worked = sum(task.spec.duration_for(crew) * present for task, present in on_crew)
        # Stated as idle >= 0 so the relaxation cannot count worked days as negative idle.
        idle = model.new_int_var(0, problem.horizon, f"idle[{crew.id}]")
        model.add(idle == last - first - worked)
        terms.append(weight * idle)
    return terms


def _change_terms(
    model: Any, problem: ScheduleProblem, tasks: dict[str, _Task], settings: SolveSettings
) -> list[Any]:
    """A task kept on its published crew and start costs nothing; any other placement does."""
    terms: list[Any] = []
    for before in problem.published:
        weight = settings.change_weights.get(before.task_id, problem.weights.change)
        task = tasks.get(before.task_id)
        if task is None or not weight:
            continue
        kept = model.new_bool_var(f"kept[{before.task_id}]")
        pair = task.pairs.get(before.crew_id)
        if pair is None:
            model.add(kept == 0)
        else:
            model.add_implication(kept, pair[0])
            model.add(task.start == before.start).only_enforce_if(kept)
        terms.append(weight * (1 - kept))
    return terms


def _relaxation(
    problem: ScheduleProblem, domains: Domains, placeable: frozenset[str], settings: SolveSettings
) -> Relaxation | None:
    if not settings.relaxation:
        return None
    limit = settings.time_limit * LP_SHARE
    return solve_relaxation(problem, domains, placeable, settings.change_weights, limit)


def _warm_start(
    problem: ScheduleProblem,
    domains: Domains,
    placeable: frozenset[str],
    relaxed: Relaxation | None,
) -> tuple[Assignment, ...]:
    """The cheaper of the cost-aware greedy and the rounded LP plan, its left-out tasks
    inserted by ejection (then by the greedy)."""
    starts = [greedy_schedule(problem, cheapest=True)]
    if relaxed is not None:
        missing = placeable - {a.task_id for a in relaxed.plan}
        repaired = insert_by_ejection(problem, domains, relaxed.plan, sorted(missing))
        starts.append(greedy_schedule(problem, cheapest=True, keep=repaired))
    return min(starts, key=lambda start: start.objective).assignments


def _hint(model: Any, tasks: dict[str, _Task], hint: Sequence[Assignment]) -> None:
    by_task = {a.task_id: a for a in hint}
    for task_id, task in tasks.items():
        chosen = by_task.get(task_id)
        usable = chosen is not None and chosen.crew_id in task.pairs
        model.add_hint(task.unscheduled, not usable)
        for crew_id, (present, _) in task.pairs.items():
            model.add_hint(present, usable and chosen is not None and chosen.crew_id == crew_id)
        if usable and chosen is not None:
            model.add_hint(task.start, chosen.start)
            model.add_hint(task.end, chosen.end)
            model.add_hint(task.pairs[chosen.crew_id][1].start_expr(), chosen.start)


def _result(
    problem: ScheduleProblem,
    domains: Domains,
    placeable: frozenset[str],
    tasks: dict[str, _Task],
    *,
    solver: Any,
    status: Any,
    started: float,
    lp_bound: int,
    warm: Sequence[Assignment],
) -> ScheduleResult:
    """The solver's plan; when it found none in time, the warm start if it passes the plan
    check (status WARM_START), so a loaded machine still gets a valid plan."""
    from ortools.sat.python import cp_model

    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if found:
        plan = (_assignment(problem, task, solver) for task in tasks.values())
        placed = tuple(a for a in plan if a is not None)
    else:
        placed = () if check_schedule(problem, warm) else tuple(warm)
    breakdown = evaluate(problem, placed, placeable)
    # The plan's own price: CP-SAT's figure can be higher while a crew's first/last-day
    # variables are not yet tight around its work.
    objective = breakdown.total
    # Both bounds are proven; the LP's is usually the stronger (see relaxation.py).
    bound = min(objective, max(int(solver.best_objective_bound) if found else 0, lp_bound))
    return ScheduleResult(
        assignments=placed,
        unscheduled=_left_out(problem, domains, placed, explained=found or bool(placed)),
        objective=objective,
        bound=bound,
        gap_pct=round(100.0 * (objective - bound) / max(1, objective), 2),
        seconds=round(time.perf_counter() - started, 2),
        status=solver.status_name(status) if found or not placed else "WARM_START",
        breakdown=breakdown,
    )


def _assignment(problem: ScheduleProblem, task: _Task, solver: Any) -> Assignment | None:
    for crew_id, (present, _) in task.pairs.items():
        if solver.boolean_value(present):
            start = solver.value(task.start)
            days = task.spec.duration_for(problem.crew(crew_id))
            return Assignment(task.spec.id, crew_id, start, start + days)
    return None


def _left_out(
    problem: ScheduleProblem, domains: Domains, placed: tuple[Assignment, ...], *, explained: bool
) -> tuple[Unscheduled, ...]:
    done = {a.task_id for a in placed}
    return tuple(
        Unscheduled(
            task.id,
            explain_unscheduled(problem, task, domains, placed)
            if explained
            else "the solver found no plan within the time limit",
        )
        for task in problem.tasks
        if task.id not in done
    )
