"""Fit left-out tasks into a partial plan, moving at most one placed task per insertion.

Rounding the LP leaves a few tasks whose cheap slots are taken; the plain greedy then puts them
late. Ejecting one blocking task to its next best slot usually costs far less.
"""

from __future__ import annotations

from collections.abc import Iterable

from roofops.engines.scheduling.model import Assignment, ScheduleProblem
from roofops.engines.scheduling.objective import commute_km, late_days
from roofops.engines.scheduling.windows import Domains

Slot = tuple[str, int]  # crew id, start


def insert_by_ejection(
    problem: ScheduleProblem, domains: Domains, plan: Iterable[Assignment], missing: Iterable[str]
) -> tuple[Assignment, ...]:
    """Insert each missing task at its cheapest slot, free or freed by moving one task.

    Parameters
    ----------
    problem : ScheduleProblem
        Costs come from its weights (travel and lateness).
    domains : Domains
        Workable starts per task and crew.
    plan : iterable of Assignment
        A valid partial plan; locked and in-progress tasks in it are never moved.
    missing : iterable of str
        Tasks to insert; those that fit nowhere stay out.

    Returns
    -------
    tuple of Assignment
        The plan with the inserted tasks (still valid).
    """
    state = _State(problem, domains, plan)
    pending = list(missing)
    progressed = True
    while progressed:  # a follower needs its predecessor inserted first
        progressed = bool([task_id for task_id in pending if state.insert(task_id)])
        pending = [task_id for task_id in pending if task_id not in state.placed]
    return tuple(state.placed.values())


class _State:
    def __init__(
        self, problem: ScheduleProblem, domains: Domains, plan: Iterable[Assignment]
    ) -> None:
        self.problem = problem
        self.domains = domains
        self.placed: dict[str, Assignment] = {}
        self.owner: dict[tuple[str, int], str] = {}
        self.followers: dict[str, list[str]] = {}
        for task in problem.tasks:
            for before in task.predecessors:
                self.followers.setdefault(before, []).append(task.id)
        for placed in plan:
            self._put(placed)

    def insert(self, task_id: str) -> bool:
        best: tuple[int, list[Assignment]] | None = None
        for slot in self._slots(task_id):
            own = self.cost(task_id, *slot)
            if best is not None and own >= best[0]:
                continue
            option = self._option(task_id, slot, own)
            if option is not None and (best is None or option[0] < best[0]):
                best = option
        if best is None:
            return False
        for placed in best[1]:
            if placed.task_id in self.placed:
                self._take(placed.task_id)
        for placed in best[1]:
            self._put(placed)
        return True

    def cost(self, task_id: str, crew_id: str, start: int) -> int:
        task, crew = self.problem.task(task_id), self.problem.crew(crew_id)
        weights = self.problem.weights
        days = task.duration_for(crew)
        travel = weights.travel_per_km * commute_km(task, crew) * days
        return travel + weights.lateness * task.priority * late_days(task, start + days)

    def _option(self, task_id: str, slot: Slot, own: int) -> tuple[int, list[Assignment]] | None:
        """The cost and placements of taking ``slot``, moving its one blocker if there is one."""
        blockers = self._blockers(task_id, slot)
        if not self._timing_ok(task_id, slot):
            return None
        placed = self._assignment(task_id, slot)
        if not blockers:
            return own, [placed]
        if len(blockers) > 1 or not self._movable(blockers[0]):
            return None
        blocker = self._take(blockers[0])
        self._put(placed)
        moved = min(
            (
                (self.cost(blocker.task_id, *other), other)
                for other in self._slots(blocker.task_id)
                if not self._blockers(blocker.task_id, other)
                and self._timing_ok(blocker.task_id, other)
            ),
            default=None,
        )
        self._take(task_id)
        self._put(blocker)
        if moved is None:
            return None
        delta = own + moved[0] - self.cost(blocker.task_id, blocker.crew_id, blocker.start)
        return delta, [placed, self._assignment(blocker.task_id, moved[1])]

    def _slots(self, task_id: str) -> list[Slot]:
        return [(c, s) for c, starts in self.domains[task_id].items() for s in starts]

    def _assignment(self, task_id: str, slot: Slot) -> Assignment:
        crew_id, start = slot
        days = self.problem.task(task_id).duration_for(self.problem.crew(crew_id))
        return Assignment(task_id, crew_id, start, start + days)

    def _blockers(self, task_id: str, slot: Slot) -> list[str]:
        window = self._assignment(task_id, slot)
        owners = {self.owner.get((window.crew_id, day)) for day in range(window.start, window.end)}
        return sorted(owner for owner in owners if owner is not None and owner != task_id)

    def _timing_ok(self, task_id: str, slot: Slot) -> bool:
        window = self._assignment(task_id, slot)
        before = self.problem.task(task_id).predecessors
        after = self.followers.get(task_id, [])
        return all(b in self.placed and self.placed[b].end <= window.start for b in before) and all(
            a not in self.placed or window.end <= self.placed[a].start for a in after
        )

    def _movable(self, task_id: str) -> bool:
        task = self.problem.task(task_id)
        return task.lock is None and not task.in_progress

    def _put(self, placed: Assignment) -> None:
        self.placed[placed.task_id] = placed
        for day in range(placed.start, placed.end):
            self.owner[placed.crew_id, day] = placed.task_id

    def _take(self, task_id: str) -> Assignment:
        placed = self.placed.pop(task_id)
        for day in range(placed.start, placed.end):
            del self.owner[placed.crew_id, day]
        return placed
