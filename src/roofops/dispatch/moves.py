"""A dispatcher's manual move, checked like any plan before it is written.

The move is refused with sentences the board shows ("Metal Crew 1 has no 'tile' skill",
"Sat 10 Jan is not a working day") when it breaks a rule. Only what the move itself breaks
counts (the plan check's own move check): a draft that already had a problem (a crew marked
out since) does not block every other move.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from roofops.dispatch.inputs import ScheduleInputs
from roofops.dispatch.planning import sentence
from roofops.models.dispatch import Phase, ScheduleEntry
from roofops.models.job import Job


@dataclass(frozen=True)
class Placement:
    """Where the move puts the phase: crew and working days."""

    crew_id: uuid.UUID
    days: tuple[date, ...]


def check_move(
    inputs: ScheduleInputs,
    entries: Sequence[ScheduleEntry],
    job: Job,
    phase: Phase,
    target: tuple[uuid.UUID, date],
) -> Placement | list[str]:
    """The placement, or the sentences saying why the move is refused."""
    crew_id, start_on = target
    key = inputs.task_id(job.id, phase)
    if key is None:
        return [f"Job {job.number} has no {phase.value} phase to schedule ({_why_none(job)})."]
    crew = next((c for c in inputs.problem.crews if c.id == str(crew_id)), None)
    if crew is None:
        return ["That crew is not an active production crew."]
    start = _start_index(inputs, start_on)
    if isinstance(start, str):
        return [start]
    task = inputs.problem.task(key)
    end = start + task.duration_for(crew)
    if end > inputs.problem.horizon:
        return [
            f"{crew.label} needs {end - start} working day(s) for job {job.number}: "
            f"from {start_on:%a %-d %b} that runs past the plan's last day "
            f"({inputs.horizon.days[-1]:%a %-d %b})."
        ]
    from roofops.engines.plan_check.schedule import check_move as broken_by

    current = inputs.assignments_of(entries)
    broken = broken_by(inputs.problem, current, key, crew.id, start)
    if broken:
        return [sentence(violation.message) for violation in broken]
    return Placement(crew_id, inputs.horizon.days[start:end])


def _start_index(inputs: ScheduleInputs, day: date) -> int | str:
    horizon = inputs.horizon
    if not horizon.start <= day <= horizon.end:
        return (
            f"{day:%a %-d %b} is outside the plan's days "
            f"({horizon.start:%a %-d %b} to {horizon.end:%a %-d %b})."
        )
    index = horizon.index(day)
    if index is None:
        return f"{day:%a %-d %b} is not a working day (weekend or company holiday)."
    return index


def _why_none(job: Job) -> str:
    if job.job_type.value in ("repair", "inspection"):
        return "repairs and inspections are daily-route visits"
    return (
        f"it is {job.job_type.value.replace('_', ' ')}, stage {job.stage.value.replace('_', ' ')}"
    )
