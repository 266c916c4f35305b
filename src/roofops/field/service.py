"""What crews report from the roof, and each crew's state on a day.

A report is one press of a crew page button (on the way, start work, finish for today,
blocked). It is stored, written to the job's activity feed and announced live
(``crew.status_changed``) in the caller's transaction. A crew's state on a day is its last
report of that day; with no report it is ``scheduled`` when the published plan gives it work,
else ``off`` (not a working day, a holiday, time off) or ``idle``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.dispatch.acknowledgements import acknowledgements
from roofops.dispatch.crew_leads import leads, require_acts_for
from roofops.events.bus import publish
from roofops.exceptions import Conflict, ValidationFailed
from roofops.field.planned import PlannedByCrewDay, planned_work, unplanned_work
from roofops.field.repository import FieldReportRepository
from roofops.field.results import CrewDayState, CrewState, PlannedWork
from roofops.job.lifecycle import CLOSED
from roofops.job.service import job_service
from roofops.kit.time import as_utc, each_day, utcnow
from roofops.models.activity import ActivityKind, JobActivity
from roofops.models.crew import Crew
from roofops.models.dispatch import PlanKind
from roofops.models.enums import JobStage, Role
from roofops.models.field import FieldReport, FieldStatus
from roofops.models.job import Job
from roofops.team.lending import lending_service

FIELD_TOPIC = "crew.status_changed"
MAX_NOTE = 2000
# A job waiting for its crew goes into production when the crew first starts work on site.
STARTS_PRODUCTION = frozenset({JobStage.SCHEDULED, JobStage.MATERIALS_ORDERED})
STATUS_WORDS: dict[FieldStatus, str] = {
    FieldStatus.EN_ROUTE: "on the way",
    FieldStatus.ON_SITE: "started work on site",
    FieldStatus.FINISHED: "finished for today",
    FieldStatus.BLOCKED: "blocked",
}


@dataclass(frozen=True)
class PendingChange:
    """A published plan that changed the crew's work and that the crew has not acknowledged."""

    plan_id: uuid.UUID
    kind: PlanKind
    route_date: date | None  # a routes plan's day
    trigger: str
    published_at: datetime | None


@dataclass(frozen=True)
class CrewDay:
    """A crew's day as its page shows it: its state, and the last report on each job."""

    crew: Crew
    state: CrewDayState
    last_reports: dict[uuid.UUID, FieldReport]


class FieldService:
    def today(self, db: Session) -> date:
        """The company's local date: a report made at 23:30 belongs to that evening's day."""
        return company_service.today(db)

    def report(
        self,
        db: Session,
        principal: Principal,
        crew_id: uuid.UUID,
        job_id: uuid.UUID,
        status: FieldStatus,
        *,
        note: str = "",
        occurred_at: datetime | None = None,
    ) -> FieldReport:
        """Record the crew's status on the job (now, or when it happened: the report's day is
        that moment's company-local date): 403 for a crew lead of another crew, 422 for a
        block without a reason, 409 for a closed job."""
        repository = FieldReportRepository(db)
        crew = repository.crew(crew_id)
        self.require_acts_for(db, principal, crew)
        note = _checked_note(status, note)
        job = _open_job(repository.job(job_id))
        when = occurred_at or utcnow()
        report = repository.add(
            FieldReport(
                crew_id=crew.id,
                job_id=job.id,
                day=_local_day(db, when),
                status=status,
                note=note,
                occurred_at=when,
                reported_by_id=principal.user_id,
            )
        )
        _record_activity(db, principal, crew, report)
        _announce(db, report)
        if status == FieldStatus.ON_SITE and job.stage in STARTS_PRODUCTION:
            reason = f"{crew.name} started work on site"
            job_service.move_stage(db, principal, job.id, JobStage.IN_PRODUCTION, reason=reason)
        return report

    def add_note(
        self, db: Session, principal: Principal, crew_id: uuid.UUID, job_id: uuid.UUID, body: str
    ) -> JobActivity:
        """A site note from the crew page: a NOTE on the job's feed (its @mentions notify),
        tagged with the crew it came from."""
        repository = FieldReportRepository(db)
        crew = repository.crew(crew_id)
        self.require_acts_for(db, principal, crew)
        note = activity_service.add_note(db, principal, repository.job(job_id).id, body)
        note.data = {**note.data, "crew_id": str(crew.id)}
        return note

    # ----- who acts for which crew ----------------------------------------------------------
    def require_acts_for(self, db: Session, principal: Principal, crew: Crew) -> None:
        """403 unless the principal may report for ``crew``: a crew lead only for their own."""
        require_acts_for(db, principal, crew, Permission.REPORT_FIELD_WORK, "report")

    def led_crews(self, db: Session, principal: Principal) -> list[Crew]:
        """The active crews the principal leads (a crew lead's own; none for other roles)."""
        repository = FieldReportRepository(db)
        user = repository.user(principal.user_id) if principal.user_id else None
        if user is None or principal.role != Role.CREW_LEAD:
            return []
        return [crew for crew in repository.active_crews() if leads(user, crew)]

    def crew(self, db: Session, crew_id: uuid.UUID) -> Crew:
        return FieldReportRepository(db).crew(crew_id)

    def crews(self, db: Session) -> list[Crew]:
        """Every active crew, by name (the crew picker of admins and dispatchers)."""
        return FieldReportRepository(db).active_crews()

    # ----- states ---------------------------------------------------------------------------
    def day_states(
        self, db: Session, day: date, branch_id: uuid.UUID | None = None
    ) -> list[CrewDayState]:
        """Every active crew's state on ``day`` (of one branch: the crews working for it)."""
        crews = FieldReportRepository(db).active_crews()
        states = _states(crews, _read_days(db, crews, day, day))
        return [state for state in states if branch_id is None or state.branch_id == branch_id]

    def crew_days(self, db: Session, crew_id: uuid.UUID, first: date, days: int) -> list[CrewDay]:
        """One crew's state on each of ``days`` days from ``first`` (its page: today and the
        coming days), with its last report on each job of the day. The days are read at once,
        not one by one."""
        crew = FieldReportRepository(db).crew(crew_id)
        facts = _read_days(db, [crew], first, first + timedelta(days=days - 1))
        return [
            CrewDay(crew, state, _last_by_job(facts.reports.get(state.day, [])))
            for state in _states([crew], facts)
        ]

    def unplanned_work(self, db: Session, job_ids: list[uuid.UUID]) -> list[PlannedWork]:
        return unplanned_work(FieldReportRepository(db), job_ids)

    def pending_changes(self, db: Session, crew_id: uuid.UUID) -> list[PendingChange]:
        """The published plans (the schedule, today's and later routes) that changed the
        crew's work and wait for its acknowledgement, oldest first."""
        plans = acknowledgements.pending_for(db, crew_id, since=self.today(db))
        return [
            PendingChange(plan.id, plan.kind, plan.route_date, plan.trigger, plan.published_at)
            for plan in plans
        ]


@dataclass(frozen=True)
class _Days:
    """What decides the crews' states over a run of days, read once for all of them."""

    days: list[date]
    planned: PlannedByCrewDay
    reports: dict[date, list[FieldReport]]  # each day's reports, oldest first
    off: dict[date, set[uuid.UUID]]
    branches: dict[date, dict[uuid.UUID, uuid.UUID]]  # who each crew works for (lent too)


def _read_days(db: Session, crews: list[Crew], first: date, last: date) -> _Days:
    repository = FieldReportRepository(db)
    crew_ids = [crew.id for crew in crews]
    reports: dict[date, list[FieldReport]] = {}
    for report in repository.between(first, last, crew_ids):
        reports.setdefault(report.day, []).append(report)
    return _Days(
        each_day(first, last),
        planned_work(db, repository, first, last),
        reports,
        _crews_off(repository, crews, first, last),
        lending_service.branches_between(db, crew_ids, first, last),
    )


def _states(crews: list[Crew], facts: _Days) -> list[CrewDayState]:
    """Each crew's state on each of the days, day by day."""
    return [_state(crew, day, facts) for day in facts.days for crew in crews]


def _state(crew: Crew, day: date, facts: _Days) -> CrewDayState:
    report = _last_reports(facts.reports.get(day, [])).get(crew.id)
    work = tuple(facts.planned.get((crew.id, day), ()))
    return CrewDayState(
        crew_id=crew.id,
        crew_name=crew.name,
        color=crew.color,
        branch_id=facts.branches[day].get(crew.id, crew.branch_id),
        day=day,
        state=_crew_state(report, bool(work), crew.id in facts.off[day]),
        job_id=report.job_id if report else (work[0].job_id if work else None),
        since=report.occurred_at if report else None,
        note=report.note if report else "",
        planned=work,
    )


def _crew_state(report: FieldReport | None, has_work: bool, off: bool) -> CrewState:
    if report is not None:
        return CrewState(report.status.value)
    if has_work:
        return CrewState.SCHEDULED
    return CrewState.OFF if off else CrewState.IDLE


def _last_reports(reports: list[FieldReport]) -> dict[uuid.UUID, FieldReport]:
    """Each crew's last report (``reports`` come oldest first)."""
    return {report.crew_id: report for report in reports}


def _last_by_job(reports: list[FieldReport]) -> dict[uuid.UUID, FieldReport]:
    return {report.job_id: report for report in reports}


def _crews_off(
    repository: FieldReportRepository, crews: list[Crew], first: date, last: date
) -> dict[date, set[uuid.UUID]]:
    """Each day's crews that do not work: a holiday, time off, or not one of its weekdays."""
    holidays = repository.holidays_between(first, last)
    time_off = repository.time_off_between(first, last)
    off: dict[date, set[uuid.UUID]] = {}
    for day in each_day(first, last):
        weekday = str(day.isoweekday())
        resting = {
            crew.id for crew in crews if day in holidays or weekday not in crew.working_weekdays
        }
        away = {t.crew_id for t in time_off if t.starts_on <= day <= t.ends_on}
        off[day] = resting | away
    return off


def _local_day(db: Session, moment: datetime) -> date:
    """The company's calendar day of ``moment``: a report at 23:30 belongs to that evening."""
    return as_utc(moment).astimezone(ZoneInfo(company_service.get(db).time_zone)).date()


def _checked_note(status: FieldStatus, note: str) -> str:
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise ValidationFailed(f"the note is longer than {MAX_NOTE} characters", field="note")
    if status == FieldStatus.BLOCKED and not text:
        raise ValidationFailed(
            "say what blocks the crew (weather, materials, access, ...) so the office can act",
            field="note",
        )
    return text


def _open_job(job: Job) -> Job:
    if job.stage in CLOSED or job.archived_at is not None:
        raise Conflict(
            f"job {job.number} is {job.stage.value}: there is no field work to report on it",
            field="job_id",
        )
    return job


def _record_activity(db: Session, principal: Principal, crew: Crew, report: FieldReport) -> None:
    sentence = f"{crew.name} {STATUS_WORDS[report.status]}"
    body = f"{sentence}: {report.note}" if report.note else sentence
    data = {"crew_id": str(crew.id), "status": report.status.value, "report_id": str(report.id)}
    activity_service.record(
        db,
        report.job_id,
        ActivityKind.FIELD,
        body,
        by=principal,
        data=data,
        occurred_at=report.occurred_at,
    )


def _announce(db: Session, report: FieldReport) -> None:
    payload = {
        "crew_id": str(report.crew_id),
        "job_id": str(report.job_id),
        "status": report.status.value,
        "day": report.day.isoformat(),
    }
    publish(db, FIELD_TOPIC, payload, seen_with=Permission.VIEW_CREWS)


field_service = FieldService()
