"""One day's routing problem from the database: the visits to make and the crews to make them.

Visits are repair and inspection jobs (an inspection before the sale, a repair once sold) that
are ready that day (materials and permit), not already on another day's published routes, and
have coordinates. A visit is required when it is urgent or high priority or promised by that
day; any other visit is optional, with a prize by priority, and may wait for another day.

Vehicles are the active crews holding the repairs or inspection skill that work that weekday,
are not off, are not on a roof that day in the published schedule, and have a home base or a
branch with coordinates. Nobody is routed on a company holiday.

One routes plan covers every branch: a visit of a branch's job and the crews of that branch
share a ``branch:<id>`` skill, so the solver never sends a crew to another branch's customer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from roofops.dispatch.field_repository import FieldRepository
from roofops.dispatch.travel import travel_matrix
from roofops.engines.routing.model import Break, RoutingProblem, Vehicle, Visit
from roofops.models.crew import Crew
from roofops.models.dispatch import JobRequirements
from roofops.models.enums import JobStage, JobType, Priority
from roofops.models.job import Job

ROUTE_SKILLS = {JobType.REPAIR: "repairs", JobType.INSPECTION: "inspection"}
ROUTE_STAGES: dict[JobType, tuple[JobStage, ...]] = {
    JobType.INSPECTION: (JobStage.LEAD, JobStage.INSPECTION),
    JobType.REPAIR: (
        JobStage.CONTRACT_SIGNED,
        JobStage.MATERIALS_ORDERED,
        JobStage.SCHEDULED,
        JobStage.IN_PRODUCTION,
    ),
}
# What leaving an optional visit for another day costs, in metres of driving it is worth.
PRIZES = {Priority.LOW: 40_000, Priority.NORMAL: 120_000, Priority.HIGH: 300_000}
# A crew sent out at all costs this many metres: fewer crews driving, more left for production.
CREW_FIXED_COST = 8_000
DEFAULT_VISIT_MINUTES = 60
DAY_END = 24 * 60 - 1
BREAK_SPREAD = 120  # the break falls within two hours either side of the shift's middle


@dataclass(frozen=True)
class DayProblem:
    """The engine's problem (None when no crew can go out) and how to read its ids back."""

    on: date
    problem: RoutingProblem | None
    jobs: dict[str, Job] = field(default_factory=dict)  # visit id -> job
    crews: dict[str, Crew] = field(default_factory=dict)  # vehicle id -> crew
    left_out: dict[uuid.UUID, str] = field(default_factory=dict)  # job id -> why not a visit
    note: str = ""  # what the dispatcher must know about the inputs (travel estimated, ...)


def load_day(
    repository: FieldRepository,
    on: date,
    *,
    urgent: uuid.UUID | None = None,
    not_before: int | None = None,
) -> DayProblem:
    """The day's problem; ``urgent`` adds that job as a required visit (arriving no earlier
    than ``not_before``, minutes after midnight, when the day is today)."""
    crews, crew_reason = _crews_out(repository, on)
    candidates, left_out = _candidates(repository, on, urgent)
    if not crews:
        left_out.update({job.id: crew_reason for job, _ in candidates})
        return DayProblem(on, None, left_out=left_out)
    points: list[tuple[float, float]] = []
    vehicles = [_vehicle(crew, _place(points, _base(crew))) for crew in crews]
    visits = [
        _visit(job, needs, _place(points, _site(job)), on, urgent=urgent, not_before=not_before)
        for job, needs in candidates
    ]
    travel = travel_matrix(points)
    return DayProblem(
        on,
        RoutingProblem(tuple(visits), tuple(vehicles), travel.matrix),
        jobs={str(job.id): job for job, _ in candidates},
        crews={str(crew.id): crew for crew in crews},
        left_out=left_out,
        note=travel.note,
    )


def _crews_out(repository: FieldRepository, on: date) -> tuple[list[Crew], str]:
    """The crews that go out on routes that day, or none and why."""
    if repository.is_holiday(on):
        return [], f"{on:%a %b} {on.day} is a company holiday"
    busy = repository.crews_off(on) | _crews_in_production(repository, on)
    weekday = str(on.isoweekday())
    crews = [
        crew
        for crew in repository.route_crews()
        if _route_skills(crew)
        and weekday in crew.working_weekdays
        and crew.id not in busy
        and _base(crew) is not None
    ]
    reason = "no crew with the repairs or inspection skill is free that day"
    return crews, f"{reason} (off, on a roof, or not a working day)"


def _crews_in_production(repository: FieldRepository, on: date) -> set[uuid.UUID]:
    """Crews the published schedule has on a roof that day."""
    day = on.isoformat()
    entries = repository.published_schedule(on, on)
    return {entry.crew_id for entry in entries if entry.crew_id and day in entry.work_days}


def _candidates(
    repository: FieldRepository, on: date, urgent: uuid.UUID | None
) -> tuple[list[tuple[Job, JobRequirements | None]], dict[uuid.UUID, str]]:
    routed_elsewhere = repository.routed_on_other_days(on)
    rows = [
        row
        for row in repository.routable_jobs(ROUTE_STAGES)
        if row[0].id not in routed_elsewhere and row[0].id != urgent
    ]
    if urgent is not None:
        rows.append(repository.job_for_visit(urgent))
    kept: list[tuple[Job, JobRequirements | None]] = []
    left_out: dict[uuid.UUID, str] = {}
    for job, needs in rows:
        reason = _not_a_visit(job, needs, on)
        if reason:
            left_out[job.id] = reason
        else:
            kept.append((job, needs))
    return kept, left_out


def _not_a_visit(job: Job, needs: JobRequirements | None, on: date) -> str:
    if job.property.latitude is None or job.property.longitude is None:
        return "the property has no coordinates: geocode its address"
    if job.job_type not in ROUTE_SKILLS:
        return f"a {job.job_type.value} job is scheduled in production, not routed"
    for ready_on, what in (
        (needs.materials_ready_on if needs else None, "materials"),
        (needs.permit_ready_on if needs else None, "permit"),
    ):
        if ready_on is not None and ready_on > on:
            return f"{what} ready only on {ready_on.isoformat()}"
    return ""


def _route_skills(crew: Crew) -> frozenset[str]:
    return frozenset(skill.code for skill in crew.skills) & frozenset(ROUTE_SKILLS.values())


def _base(crew: Crew) -> tuple[float, float] | None:
    if crew.home_latitude is not None and crew.home_longitude is not None:
        return (crew.home_latitude, crew.home_longitude)
    branch = crew.branch
    if branch.latitude is not None and branch.longitude is not None:
        return (branch.latitude, branch.longitude)
    return None


def _site(job: Job) -> tuple[float, float]:
    assert job.property.latitude is not None  # _not_a_visit kept only geocoded jobs
    assert job.property.longitude is not None
    return (job.property.latitude, job.property.longitude)


def _place(points: list[tuple[float, float]], point: tuple[float, float] | None) -> int:
    assert point is not None  # _crews_out kept only crews with a base
    points.append(point)
    return len(points) - 1


def branch_skill(branch_id: uuid.UUID | None) -> frozenset[str]:
    return frozenset() if branch_id is None else frozenset({f"branch:{branch_id}"})


def _vehicle(crew: Crew, location: int) -> Vehicle:
    start, end = crew.shift_start_minute, crew.shift_end_minute
    middle = (start + end) // 2
    pause = None
    if crew.break_minutes > 0:
        pause = Break(
            earliest_start=max(start, middle - BREAK_SPREAD),
            latest_end=min(end, middle + BREAK_SPREAD),
            minutes=crew.break_minutes,
        )
    return Vehicle(
        id=str(crew.id),
        start_location=location,
        end_location=location,
        shift=(start, end),
        skills=_route_skills(crew) | branch_skill(crew.branch_id),
        break_=pause,
        fixed_cost=CREW_FIXED_COST,
    )


def _visit(
    job: Job,
    needs: JobRequirements | None,
    location: int,
    on: date,
    *,
    urgent: uuid.UUID | None,
    not_before: int | None,
) -> Visit:
    is_urgent = job.id == urgent
    required = is_urgent or _required(job, needs, on)
    return Visit(
        id=str(job.id),
        location=location,
        service_minutes=needs.visit_minutes if needs else DEFAULT_VISIT_MINUTES,
        window=_window(needs, not_before if is_urgent else None),
        required_skills=frozenset({ROUTE_SKILLS[job.job_type]}) | branch_skill(job.branch_id),
        required=required,
        prize=0 if required else PRIZES.get(job.priority, PRIZES[Priority.NORMAL]),
    )


def _required(job: Job, needs: JobRequirements | None, on: date) -> bool:
    promised = needs.promised_by if needs else None
    return job.priority in (Priority.URGENT, Priority.HIGH) or (
        promised is not None and promised <= on
    )


def _window(needs: JobRequirements | None, not_before: int | None) -> tuple[int, int]:
    earliest = needs.window_start_minute if needs and needs.window_start_minute else 0
    latest = needs.window_end_minute if needs and needs.window_end_minute else DAY_END
    if not_before is not None:
        earliest = max(earliest, not_before)
    return (earliest, max(earliest, latest))
