"""The operations snapshot: today's crews and their state, jobs in production, alerts and the
map of today's work, for one viewer (their role decides which alerts and amounts they see).

Read fresh on each request: the page re-reads its fragments when a live event says something
moved, so there is no cache to fall out of step across replicas."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.dispatch.day_problem import ROUTE_STAGES
from roofops.dispatch.published import published_schedule
from roofops.dispatch.service import dispatch_service
from roofops.field.results import CrewDayState
from roofops.field.service import field_service
from roofops.forecast.service import forecast_service
from roofops.invoice.service import InvoiceFilters, InvoiceTotals, invoice_service
from roofops.job.lifecycle import PRODUCTION
from roofops.kit.time import utcnow
from roofops.models.branch import Branch
from roofops.models.enums import JobStage, JobType
from roofops.models.invoice import InvoiceStatus
from roofops.models.job import Job
from roofops.operations import alerts
from roofops.operations.map import map_points
from roofops.operations.plan import PublishedSchedule
from roofops.operations.repository import OperationsRepository
from roofops.operations.results import (
    SEVERITY_ORDER,
    Alert,
    OperationsSnapshot,
    ProductionJob,
)

# Inspection jobs are crew work before the sale; every other job once it is sold.
INSPECTION_STAGES = ROUTE_STAGES[JobType.INSPECTION]


@dataclass(frozen=True)
class _Day:
    """What the snapshot's parts share: the day, the branch, the published schedule and the
    open production work (read once per snapshot)."""

    day: date
    branch_id: uuid.UUID | None
    schedule: PublishedSchedule
    open_work: tuple[Job, ...]


class OperationsService:
    def snapshot(
        self, db: Session, principal: Principal, day: date, branch_id: uuid.UUID | None = None
    ) -> OperationsSnapshot:
        """Everything the dashboard shows for ``day`` (company-local), optionally one branch."""
        principal.require(Permission.VIEW_JOBS)
        repository = OperationsRepository(db)
        crews = tuple(field_service.day_states(db, day, branch_id))
        reading = _Day(
            day,
            branch_id,
            PublishedSchedule.of(published_schedule(db)),
            tuple(repository.jobs(stages=PRODUCTION, branch_id=branch_id)),
        )
        return OperationsSnapshot(
            day=day,
            branch_id=branch_id,
            generated_at=utcnow(),
            crews=crews,
            jobs=self._production(repository, crews, reading),
            alerts=self._alerts(db, principal, repository, reading),
            map_points=map_points(crews, repository.yards(branch_id)),
        )

    def branches(self, db: Session) -> list[Branch]:
        return OperationsRepository(db).branches()

    def _production(
        self, repository: OperationsRepository, crews: Sequence[CrewDayState], reading: _Day
    ) -> tuple[ProductionJob, ...]:
        """Jobs in production, and jobs worked that day (by the branch's crews, lent ones too)."""
        on_day: dict[uuid.UUID, set[str]] = {}
        for crew in crews:
            for work in crew.planned:
                on_day.setdefault(work.job_id, set()).add(crew.crew_name)
        in_production = [job for job in reading.open_work if job.stage == JobStage.IN_PRODUCTION]
        listed_ids = {job.id for job in in_production}
        planned = {*on_day, *reading.schedule.jobs_on(reading.day)} - listed_ids
        others = [
            job
            for job in repository.jobs(ids=planned)
            if reading.branch_id in (None, job.branch_id) or job.id in on_day
        ]
        return tuple(
            _production_job(job, sorted(on_day.get(job.id, ())), reading.schedule)
            for job in [*in_production, *others]
        )

    def _alerts(
        self,
        db: Session,
        principal: Principal,
        repository: OperationsRepository,
        reading: _Day,
    ) -> tuple[Alert, ...]:
        """Every alert the viewer may see, most severe first."""
        urgent = repository.urgent_without_crew(
            PRODUCTION, INSPECTION_STAGES, reading.day, reading.branch_id
        )
        found = [
            *self._weather(db, reading),
            *self._late(db, repository, reading),
            *alerts.unassigned(urgent),
            *alerts.overdue(self._overdue(db), with_money=principal.can(Permission.VIEW_MONEY)),
        ]
        if principal.can(Permission.VIEW_INTEGRATIONS):
            found.extend(alerts.failed_syncs(repository.latest_sync_runs()))
        return tuple(sorted(found, key=lambda alert: SEVERITY_ORDER[alert.severity]))

    def _weather(self, db: Session, reading: _Day) -> list[Alert]:
        planned = reading.schedule.on(reading.day, reading.day + timedelta(days=1))
        jobs = {job.id: job for job in reading.open_work}
        return alerts.weather(db, dispatch_service.weather, planned, jobs, reading.day)

    def _late(self, db: Session, repository: OperationsRepository, reading: _Day) -> list[Alert]:
        ids = [job.id for job in reading.open_work]
        run = forecast_service.latest_succeeded(db)
        p90 = repository.forecast_finish_p90(run.id, ids) if run else {}
        promised = repository.promised_by(ids)
        return alerts.late(reading.open_work, reading.schedule, promised, p90, reading.day)

    def _overdue(self, db: Session) -> InvoiceTotals:
        return invoice_service.totals(db, InvoiceFilters(status=InvoiceStatus.OVERDUE))


def _production_job(
    job: Job, crew_names: Sequence[str], schedule: PublishedSchedule
) -> ProductionJob:
    return ProductionJob(
        job_id=job.id,
        number=job.number,
        name=job.name,
        stage=job.stage,
        priority=job.priority,
        crew_names=tuple(crew_names),
        planned_end=schedule.planned_end.get(job.id),
        since=job.stage_changed_at,
        branch_id=job.branch_id,
    )


operations_service = OperationsService()
