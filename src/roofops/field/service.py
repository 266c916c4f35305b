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

from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.dispatch.acknowledgements import acknowledgements
from roofops.dispatch.crew_leads import leads
from roofops.events.bus import publish
from roofops.exceptions import Conflict, PermissionDenied, ValidationFailed
from roofops.field.planned import PlannedByCrewDay, planned_work, unplanned_work
from roofops.field.repository import FieldReportRepository
from roofops.field.results import CrewDayState, CrewState, PlannedWork
from roofops.job.lifecycle import CLOSED
from roofops.job.service import job_service
from roofops.kit.time import utcnow
from roofops.models.activity import ActivityKind, JobActivity
from roofops.models.crew import Crew
from roofops.models.dispatch import PlanKind
from roofops.models.enums import JobStage, Role
from roofops.models.field import FieldReport, FieldStatus
from roofops.models.job import Job

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
    ) -> FieldReport:
        """Record the crew's status on the job now: 403 for a crew lead of another crew, 422
        for a block without a reason, 409 for a closed job."""
        repository = FieldReportRepository(db)
        crew = repository.crew(crew_id)
        self.require_acts_for(db, principal, crew)
        note = _checked_note(status, note)
        job = _open_job(repository.job(job_id))
        now = utcnow()
        report = repository.add(
            FieldReport(
                crew_id=crew.id,
                job_id=job.id,
                day=self.today(db),
                status=status,
                note=note,
                occurred_at=now,
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
        """A site note from the crew page, on the job's activity feed."""
        repository = FieldReportRepository(db)
        crew = repository.crew(crew_id)
        self.require_acts_for(db, principal, crew)
        principal.require(Permission.WRITE_NOTES)
        text = _bounded(body, "note")
        if not text:
            raise ValidationFailed("write the note before sending it", field="note")
        job = repository.job(job_id)
        return activity_service.record(
            db, job.id, ActivityKind.NOTE, text, by=principal, data={"crew_id": str(crew.id)}
        )

    # ----- who acts for which crew ----------------------------------------------------------
    def require_acts_for(self, db: Session, principal: Principal, crew: Crew) -> None:
        """403 unless the principal may report for ``crew``: a crew lead only for their own."""
        principal.require(Permission.REPORT_FIELD_WORK)
        if not self.acts_for(db, principal, crew):
            raise PermissionDenied(
                f"only the lead of {crew.name} ({crew.lead_name or 'no lead recorded'}), a "
                "dispatcher or an admin can report for this crew",
                permission=Permission.REPORT_FIELD_WORK.value,
            )

    def acts_for(self, db: Session, principal: Principal, crew: Crew) -> bool:
        if not principal.can(Permission.REPORT_FIELD_WORK):
            return False
        if principal.role != Role.CREW_LEAD:
            return True
        user = FieldReportRepository(db).user(principal.user_id) if principal.user_id else None
        return user is not None and leads(user, crew)

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
        repository = FieldReportRepository(db)
        crews = repository.active_crews()
        states = _states(repository, crews, day, day)
        return [state for state in states if branch_id is None or state.branch_id == branch_id]

    def crew_days(self, db: Session, crew_id: uuid.UUID, first: date, days: int) -> list[CrewDay]:
        """One crew's state on each of ``days`` days from ``first`` (its page: today and the
        coming days), with its last report on each job of the day."""
        repository = FieldReportRepository(db)
        crew = repository.crew(crew_id)
        states = _states(repository, [crew], first, first + timedelta(days=days - 1))
        return [
            CrewDay(crew, state, _last_by_job(repository.on_day(state.day, [crew.id])))
            for state in states
        ]

    def unplanned_work(self, db: Session, job_ids: list[uuid.UUID]) -> list[PlannedWork]:
        return unplanned_work(FieldReportRepository(db), job_ids)

    def pending_changes(self, db: Session, crew_id: uuid.UUID) -> list[PendingChange]:
        """The published plans (the schedule, today's and later routes) that changed the
        crew's work and wait for its acknowledgement, oldest first."""
        repository = FieldReportRepository(db)
        plans = repository.published_plans(since=self.today(db))
        return [
            PendingChange(plan.id, plan.kind, plan.route_date, plan.trigger, plan.published_at)
            for plan in plans
            if any(c.crew_id == crew_id for c in acknowledgements.of_plan(db, plan.id).pending)
        ]


def _states(
    repository: FieldReportRepository, crews: list[Crew], first: date, last: date
) -> list[CrewDayState]:
    planned = planned_work(repository, first, last)
    states: list[CrewDayState] = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = date.fromordinal(ordinal)
        last_reports = _last_reports(repository.on_day(day, [crew.id for crew in crews]))
        off = _crews_off(repository, crews, day)
        states.extend(
            _state(crew, day, planned, last_reports.get(crew.id), crew.id in off) for crew in crews
        )
    return states


def _state(
    crew: Crew,
    day: date,
    planned: PlannedByCrewDay,
    report: FieldReport | None,
    off: bool,
) -> CrewDayState:
    work = tuple(planned.get((crew.id, day), ()))
    return CrewDayState(
        crew_id=crew.id,
        crew_name=crew.name,
        branch_id=crew.branch_id,
        day=day,
        state=_crew_state(report, bool(work), off),
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


def _crews_off(repository: FieldReportRepository, crews: list[Crew], day: date) -> set[uuid.UUID]:
    """Crews that do not work on ``day``: a holiday, time off, or not one of its weekdays."""
    if repository.is_holiday(day):
        return {crew.id for crew in crews}
    weekday = str(day.isoweekday())
    resting = {crew.id for crew in crews if weekday not in crew.working_weekdays}
    return resting | repository.crews_off(day)


def _checked_note(status: FieldStatus, note: str) -> str:
    text = _bounded(note, "note")
    if status == FieldStatus.BLOCKED and not text:
        raise ValidationFailed(
            "say what blocks the crew (weather, materials, access, ...) so the office can act",
            field="note",
        )
    return text


def _bounded(text: str, field: str) -> str:
    text = text.strip()
    if len(text) > MAX_NOTE:
        raise ValidationFailed(f"the {field} is longer than {MAX_NOTE} characters", field=field)
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
