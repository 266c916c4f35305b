"""What the demo's dispatcher works with on the as-of day: open jobs' materials, permit and
promised dates, gutters phases, repair and inspection windows, company holidays and a few
crews' time off. Pure rows, deterministic like the rest of the demo."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from roofops.demo.rand import between, new_uuid
from roofops.demo.records import (
    CrewTimeOffRow,
    DemoData,
    HolidayRow,
    JobRequirementsRow,
    JobRow,
)
from roofops.models.dispatch import TimeOffKind
from roofops.models.enums import JobStage, JobType

PRODUCTION = frozenset({JobType.REROOF, JobType.NEW_CONSTRUCTION, JobType.GUTTERS})
OPEN_PRODUCTION = frozenset(
    {JobStage.CONTRACT_SIGNED, JobStage.MATERIALS_ORDERED, JobStage.SCHEDULED}
)
OPEN_VISITS = frozenset({JobStage.LEAD, JobStage.INSPECTION, JobStage.ESTIMATE, JobStage.SCHEDULED})
# Days from the as-of day until the materials arrive, by stage (low, high).
MATERIALS_DAYS = {JobStage.CONTRACT_SIGNED: (4, 18), JobStage.MATERIALS_ORDERED: (0, 8)}
VISIT_MINUTES = {JobType.REPAIR: 90, JobType.INSPECTION: 45}
WINDOWS = ((8 * 60, 12 * 60), (12 * 60, 17 * 60), (7 * 60, 10 * 60))


def plan_dispatch(rng: random.Random, data: DemoData, *, now: datetime) -> None:
    """Requirements for open jobs, holidays around the as-of day and some crews' time off."""
    for job in data.jobs:
        row = _requirements(rng, job, data.as_of, now)
        if row is not None:
            data.requirements.append(row)
    data.holidays = [
        HolidayRow(new_uuid(rng), day, name, now, now) for day, name in _holidays(data.as_of)
    ]
    for index, crew in enumerate(data.crews[1::4]):
        first = data.as_of + timedelta(days=5 + 4 * index)
        kind = TimeOffKind.TIME_OFF if index % 2 == 0 else TimeOffKind.SICK
        note = "vacation" if kind == TimeOffKind.TIME_OFF else "foreman out sick"
        last = first + timedelta(days=between(rng, 0, 2))
        data.time_off.append(
            CrewTimeOffRow(new_uuid(rng), crew.id, first, last, kind, note, None, now, now)
        )


def _requirements(
    rng: random.Random, job: JobRow, as_of: date, now: datetime
) -> JobRequirementsRow | None:
    if job.job_type in PRODUCTION and job.stage in OPEN_PRODUCTION:
        return _production(rng, job, as_of, now)
    if job.job_type in VISIT_MINUTES and job.stage in OPEN_VISITS:
        window = WINDOWS[between(rng, 0, len(WINDOWS) - 1)] if rng.random() < 0.5 else None
        return _row(
            rng,
            job,
            now,
            visit_minutes=VISIT_MINUTES[job.job_type],
            window=window,
        )
    return None


def _production(rng: random.Random, job: JobRow, as_of: date, now: datetime) -> JobRequirementsRow:
    low, high = MATERIALS_DAYS.get(job.stage, (0, 0))
    materials = as_of + timedelta(days=between(rng, low, high)) if high else None
    permit = as_of + timedelta(days=between(rng, 0, 10)) if rng.random() < 0.4 else None
    promised = as_of + timedelta(days=between(rng, 12, 45)) if rng.random() < 0.7 else None
    gutters = job.job_type != JobType.GUTTERS and rng.random() < 0.25
    return _row(
        rng, job, now, materials=materials, permit=permit, promised=promised, gutters=gutters
    )


def _row(
    rng: random.Random,
    job: JobRow,
    now: datetime,
    *,
    materials: date | None = None,
    permit: date | None = None,
    promised: date | None = None,
    gutters: bool = False,
    visit_minutes: int = 60,
    window: tuple[int, int] | None = None,
) -> JobRequirementsRow:
    return JobRequirementsRow(
        id=new_uuid(rng),
        job_id=job.id,
        materials_ready_on=materials,
        permit_ready_on=permit,
        promised_by=promised,
        with_gutters=gutters,
        production_days=None,
        visit_minutes=visit_minutes,
        window_start_minute=window[0] if window else None,
        window_end_minute=window[1] if window else None,
        locked_crew_id=None,
        locked_start_on=None,
        created_at=now,
        updated_at=now,
    )


def _holidays(as_of: date) -> list[tuple[date, str]]:
    """US holidays a roofing company closes for, from a month before to four months after."""
    days = [
        holiday
        for year in (as_of.year - 1, as_of.year, as_of.year + 1)
        for holiday in _year_holidays(year)
    ]
    return sorted(d for d in days if -30 <= (d[0] - as_of).days <= 120)


def _year_holidays(year: int) -> list[tuple[date, str]]:
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return [
        (date(year, 1, 1), "New Year's Day"),
        (_last_weekday(year, 5, 0), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (_nth_weekday(year, 9, 0, 1), "Labor Day"),
        (thanksgiving, "Thanksgiving"),
        (thanksgiving + timedelta(days=1), "Day after Thanksgiving"),
        (date(year, 12, 24), "Christmas Eve"),
        (date(year, 12, 25), "Christmas Day"),
    ]


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)
