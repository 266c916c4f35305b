"""Making a production schedule and turning it into rows.

Every plan passes the independent plan check before it is stored: the solver's plan first; if
the solver fails, finds nothing in time or its plan fails the check, the greedy dispatcher's;
if that fails too, the published plan is kept as it is. The plan's note says which and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from roofops.dispatch.inputs import ScheduleInputs, TaskRef
from roofops.engines.scheduling.model import (
    Assignment,
    ScheduleProblem,
    ScheduleResult,
    TaskSpec,
    Unscheduled,
)
from roofops.logging import get_logger
from roofops.models.dispatch import ScheduleEntry

log = get_logger(__name__)

# Statuses under which the solver's answer is a plan at all.
SOLVED = frozenset({"OPTIMAL", "FEASIBLE", "GREEDY"})


# A search's plan and, for a re-plan, why the tasks the event broke moved.
Found = tuple[ScheduleResult, Mapping[str, str]]


@dataclass(frozen=True)
class Search:
    """A way to find a plan, and the name the plan records ("cp-sat", "greedy")."""

    name: str
    run: Callable[[ScheduleProblem], Found]


@dataclass(frozen=True)
class Proposal:
    """A checked plan and how it was made."""

    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...]
    solver: str  # "cp-sat", "greedy", "kept"
    note: str = ""
    objective: float | None = None
    bound: float | None = None
    gap_pct: float | None = None
    seconds: float | None = None
    breakdown: dict[str, int] = field(default_factory=dict)
    # Why a task moved from the published plan, for the tasks an event broke.
    moved_because: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, found: Found, solver: str, note: str = "") -> Proposal:
        result, moved_because = found
        searched = result.status != "GREEDY"
        b = result.breakdown
        return cls(
            assignments=result.assignments,
            unscheduled=result.unscheduled,
            solver=solver,
            note=note,
            moved_because=moved_because,
            objective=result.objective,
            # The greedy dispatcher proves nothing: no bound, no gap.
            bound=result.bound if searched else None,
            gap_pct=result.gap_pct if searched else None,
            seconds=result.seconds,
            breakdown={
                "lateness": b.lateness,
                "travel": b.travel,
                "idle": b.idle,
                "changes": b.changes,
                "unscheduled": b.unscheduled,
                "late_days": b.late_days,
                "travel_km": b.travel_km,
            },
        )


def solver_search(time_limit: float, seed: int = 0) -> Search:
    """CP-SAT with the published plan as a warm start (the greedy plan when none)."""

    def search(problem: ScheduleProblem) -> Found:
        from roofops.engines.scheduling.solver import SolveSettings, solve

        settings = SolveSettings(time_limit=time_limit, seed=seed, hint=problem.published)
        return solve(problem, settings), {}

    return Search("cp-sat", search)


def replan_search(time_limit: float, seed: int = 0) -> Search:
    """The engine's re-plan of the published plan in a problem the event already changed:
    what the event broke is freed, everything else pays heavily for moving."""

    def search(problem: ScheduleProblem) -> Found:
        from roofops.engines.scheduling.replan import UrgentJob, replan

        # The problem already holds the event (time off, dates, forecast): nothing to apply.
        done = replan(problem, problem.published, UrgentJob(()), time_limit, seed=seed)
        return done.result, {move.task_id: move.reason for move in done.diff.moved}

    return Search("cp-sat", search)


def greedy_search() -> Search:
    """The earliest-due-date dispatcher alone: instant, for the demo's first plan."""

    def search(problem: ScheduleProblem) -> Found:
        from roofops.engines.scheduling.greedy import greedy_schedule

        return greedy_schedule(problem, keep=problem.published), {}

    return Search("greedy", search)


def propose(problem: ScheduleProblem, search: Search) -> Proposal:
    """The search's plan if it passes the check, else the greedy one, else the published one."""
    from roofops.engines.scheduling.greedy import greedy_schedule

    why_not = _attempt(problem, search)
    if isinstance(why_not, Proposal):
        return why_not
    greedy = greedy_schedule(problem, keep=problem.published)
    greedy_violations = violations(problem, greedy.assignments)
    if not greedy_violations:
        note = f"{why_not} The greedy dispatcher's plan is kept."
        return Proposal.of((greedy, {}), "greedy", note)
    log.error("dispatch.plan.rejected", solver=why_not, greedy=greedy_violations[:5])
    note = (
        f"{why_not} The greedy plan failed the check too ({greedy_violations[0]}): "
        "the published plan is kept unchanged."
    )
    return Proposal(problem.published, (), "kept", note)


def _attempt(problem: ScheduleProblem, search: Search) -> Proposal | str:
    """The solver's checked proposal, or the sentence saying why there is none."""
    try:
        result, moved_because = search.run(problem)
    except Exception:  # a crashed solver must not cost the dispatcher the plan
        log.exception("dispatch.solver.failed")
        return "The optimizer failed."
    if result.status not in SOLVED:
        return f"The optimizer found no plan in time ({result.status})."
    found = violations(problem, result.assignments)
    if found:
        log.error("dispatch.plan.check_failed", violations=found[:5])
        return f"The optimizer's plan failed the plan check: {found[0]}."
    return Proposal.of((result, moved_because), search.name)


def violations(problem: ScheduleProblem, assignments: Sequence[Assignment]) -> list[str]:
    """The plan check's sentences for these assignments (empty: the plan holds)."""
    from roofops.engines.plan_check.schedule import check_schedule

    return [violation.message for violation in check_schedule(problem, tuple(assignments))]


# ----- rows ----------------------------------------------------------------------------------
def entries_for(
    inputs: ScheduleInputs,
    proposal: Proposal,
    plan_id: uuid.UUID,
    published: Sequence[ScheduleEntry] = (),
) -> list[ScheduleEntry]:
    """One entry per task: placed with its days and why, or unscheduled with why not."""
    problem = inputs.problem
    before = {(e.job_id, e.phase): e for e in published}
    rows = []
    for assignment in proposal.assignments:
        ref = inputs.tasks[assignment.task_id]
        task = problem.task(assignment.task_id)
        days = [inputs.horizon.days[i] for i in range(assignment.start, assignment.end)]
        if task.in_progress and (ref.job_id, ref.phase) in before:
            days = _days_before(before[(ref.job_id, ref.phase)], inputs.horizon.start) + days
        crew_id = uuid.UUID(assignment.crew_id)
        why = why_here(inputs, assignment, proposal.moved_because.get(assignment.task_id, ""))
        rows.append(_entry(plan_id, ref, task, (crew_id, days), why))
    for left in proposal.unscheduled:
        ref = inputs.tasks[left.task_id]
        task = problem.task(left.task_id)
        rows.append(_entry(plan_id, ref, task, None, why_not(inputs, left)))
    return rows


def _entry(
    plan_id: uuid.UUID,
    ref: TaskRef,
    task: TaskSpec,
    placed: tuple[uuid.UUID, list[date]] | None,
    reason: str,
) -> ScheduleEntry:
    crew_id, days = placed if placed is not None else (None, [])
    return ScheduleEntry(
        plan_id=plan_id,
        job_id=ref.job_id,
        phase=ref.phase,
        crew_id=crew_id,
        starts_on=days[0] if days else None,
        ends_on=days[-1] if days else None,
        work_days=[day.isoformat() for day in days],
        locked=task.lock is not None and not task.in_progress,
        in_progress=task.in_progress,
        reason=reason,
    )


def _days_before(entry: ScheduleEntry, start: date) -> list[date]:
    """The days already worked on a phase under way (kept so the entry shows its real start)."""
    return [d for d in map(date.fromisoformat, entry.work_days) if d < start]


def why_here(inputs: ScheduleInputs, assignment: Assignment, moved_because: str = "") -> str:
    """One or two sentences: why it moved (re-plans), who, from when, against the promise."""
    problem = inputs.problem
    task = problem.task(assignment.task_id)
    crew = problem.crew(assignment.crew_id)
    if task.in_progress:
        return f"Under way: stays with {crew.label} until it is done."
    skills = ", ".join(sorted(task.required_skills))
    who = (
        f"Locked by the dispatcher ({crew.label})"
        if task.lock
        else f"{crew.label} has the {skills} skill"
    )
    if assignment.start <= task.earliest:
        ready = inputs.notes.get(inputs.tasks[assignment.task_id].job_id)
        when = f"first workable day{f' ({ready})' if ready else ''}"
    elif task.predecessors:
        when = "after the job's previous phase"
    else:
        when = f"{crew.label}'s first free slot that fits"
    moved = f"Moved: {sentence(moved_because)} " if moved_because else ""
    return f"{moved}{who}; {when}.{_promise(problem, task, assignment)}"


def sentence(text: str) -> str:
    """The engines' lower-case phrases as sentences."""
    text = text.strip()
    return f"{text[:1].upper()}{text[1:]}{'' if text.endswith('.') else '.'}" if text else ""


def _promise(problem: ScheduleProblem, task: TaskSpec, assignment: Assignment) -> str:
    if task.promised is None:
        return ""
    late = max(0, assignment.end - 1 - task.promised)
    promised = problem.day_label(task.promised) if task.promised >= 0 else "before today"
    if late == 0:
        return f" On time for the promise ({promised})."
    return (
        f" {late} working day(s) late against the promise ({promised}):"
        " no skilled crew free earlier."
    )


def why_not(inputs: ScheduleInputs, left: Unscheduled) -> str:
    ref = inputs.tasks[left.task_id]
    ready = inputs.notes.get(ref.job_id)
    if ready and ready not in left.reason:
        return sentence(f"{left.reason.rstrip('.')} ({ready})")
    return sentence(left.reason)
