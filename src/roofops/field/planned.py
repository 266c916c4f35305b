"""A crew's day from the published plan: which jobs, in which order, and whether the crew
works at all (the rules the dashboard and the crew page share)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session

from roofops.dispatch.published import published_schedule
from roofops.field.repository import FieldReportRepository
from roofops.field.results import PlannedWork
from roofops.models.dispatch import RouteStop, ScheduleEntry
from roofops.models.job import Job

UNPLANNED = "unplanned"
PlannedByCrewDay = dict[tuple[uuid.UUID, date], list[PlannedWork]]


def planned_work(
    db: Session, repository: FieldReportRepository, first: date, last: date
) -> PlannedByCrewDay:
    """Each crew's planned jobs per day of ``first..last``: the published schedule's phases
    first (they fill the day from the shift start), then the day's route visits in order."""
    entries = [e for e in published_schedule(db, first, last) if e.crew_id is not None]
    stops = repository.published_stops(first, last)
    jobs = repository.jobs({e.job_id for e in entries} | {s.job_id for s in stops if s.job_id})
    planned: PlannedByCrewDay = defaultdict(list)
    for entry in entries:
        for day in _work_days(entry, first, last):
            assert entry.crew_id is not None  # crewed entries only, above
            planned[(entry.crew_id, day)].append(_from_entry(entry, jobs[entry.job_id]))
    for stop in stops:
        assert stop.crew_id is not None
        assert stop.job_id is not None
        planned[(stop.crew_id, stop.route_date)].append(_from_stop(stop, jobs[stop.job_id]))
    return planned


def unplanned_work(
    repository: FieldReportRepository, job_ids: list[uuid.UUID]
) -> list[PlannedWork]:
    """Jobs a crew works on outside the published plan (a call-out phoned in), by number."""
    jobs = sorted(repository.jobs(job_ids).values(), key=lambda job: job.number)
    return [_planned(job, phase=UNPLANNED, start_minute=None) for job in jobs]


def _work_days(entry: ScheduleEntry, first: date, last: date) -> list[date]:
    days = (date.fromisoformat(day) for day in entry.work_days)
    return sorted(day for day in days if first <= day <= last)


def _from_entry(entry: ScheduleEntry, job: Job) -> PlannedWork:
    return _planned(job, phase=entry.phase.value, start_minute=None)


def _from_stop(stop: RouteStop, job: Job) -> PlannedWork:
    return _planned(job, phase=stop.kind.value, start_minute=stop.start_minute)


def _planned(job: Job, *, phase: str, start_minute: int | None) -> PlannedWork:
    return PlannedWork(
        job_id=job.id,
        job_number=job.number,
        job_name=job.name,
        address=job.property.one_line,
        latitude=job.property.latitude,
        longitude=job.property.longitude,
        phase=phase,
        start_minute=start_minute,
    )
