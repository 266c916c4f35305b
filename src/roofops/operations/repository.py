"""Queries of the operations dashboard: the jobs it lists and the rows its alerts rest on."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from roofops.kit.repository import in_chunks
from roofops.models.branch import Branch
from roofops.models.dispatch import (
    DispatchPlan,
    JobRequirements,
    PlanKind,
    PlanStatus,
    RouteStop,
    ScheduleEntry,
    StopKind,
)
from roofops.models.enums import ConnectionStatus, JobStage, JobType, Priority
from roofops.models.forecast import JobForecast
from roofops.models.integration import IntegrationConnection, SyncRun
from roofops.models.job import Job

# Connections someone set up and has not switched off: their syncs are expected to work.
WATCHED_CONNECTIONS = (ConnectionStatus.CONNECTED, ConnectionStatus.FAILED)


class OperationsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def jobs(
        self,
        *,
        ids: Collection[uuid.UUID] = (),
        stages: Collection[JobStage] = (),
        branch_id: uuid.UUID | None = None,
    ) -> list[Job]:
        """Live jobs with their property and branch (a site without coordinates falls back to
        its branch's): those with these ids, or in these stages; of one branch if given."""
        if not ids and not stages:
            return []
        condition = Job.id.in_(ids) if ids else Job.stage.in_(stages)
        statement = (
            sa.select(Job)
            .options(joinedload(Job.property, innerjoin=True), joinedload(Job.branch))
            .where(condition, Job.archived_at.is_(None))
            .order_by(Job.stage_changed_at, Job.number)
        )
        if branch_id is not None:
            statement = statement.where(Job.branch_id == branch_id)
        return list(self.session.scalars(statement))

    def promised_by(self, job_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, date]:
        found: dict[uuid.UUID, date] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.execute(
                sa.select(JobRequirements.job_id, JobRequirements.promised_by).where(
                    JobRequirements.job_id.in_(chunk), JobRequirements.promised_by.is_not(None)
                )
            )
            found.update({row.job_id: row.promised_by for row in rows})
        return found

    def forecast_finish_p90(
        self, run_id: uuid.UUID, job_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, date]:
        """The 90th-percentile finish each job got in the forecast run."""
        found: dict[uuid.UUID, date] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.execute(
                sa.select(JobForecast.job_id, JobForecast.finish_p90).where(
                    JobForecast.run_id == run_id, JobForecast.job_id.in_(chunk)
                )
            )
            found.update({row.job_id: row.finish_p90 for row in rows})
        return found

    def urgent_without_crew(
        self,
        production: Collection[JobStage],
        inspection: Collection[JobStage],
        day: date,
        branch_id: uuid.UUID | None,
    ) -> list[Job]:
        """Urgent work no crew holds (any job in a production stage, an inspection job in an
        inspection stage): no crew on the job, none on it in the published schedule, no
        published route visit from ``day`` on."""
        scheduled = (
            sa.select(ScheduleEntry.job_id)
            .join(DispatchPlan, DispatchPlan.id == ScheduleEntry.plan_id)
            .where(
                DispatchPlan.kind == PlanKind.SCHEDULE,
                DispatchPlan.status == PlanStatus.PUBLISHED,
                ScheduleEntry.crew_id.is_not(None),
            )
        )
        routed = (
            sa.select(RouteStop.job_id)
            .join(DispatchPlan, DispatchPlan.id == RouteStop.plan_id)
            .where(
                DispatchPlan.status == PlanStatus.PUBLISHED,
                RouteStop.kind == StopKind.VISIT,
                RouteStop.crew_id.is_not(None),
                RouteStop.job_id.is_not(None),
                RouteStop.route_date >= day,
            )
        )
        statement = (
            sa.select(Job)
            .where(
                Job.priority == Priority.URGENT,
                sa.or_(
                    Job.stage.in_(production),
                    sa.and_(Job.job_type == JobType.INSPECTION, Job.stage.in_(inspection)),
                ),
                Job.archived_at.is_(None),
                Job.crew_id.is_(None),
                Job.id.not_in(scheduled),
                Job.id.not_in(routed),
            )
            .order_by(Job.stage_changed_at, Job.number)
        )
        if branch_id is not None:
            statement = statement.where(Job.branch_id == branch_id)
        return list(self.session.scalars(statement))

    def latest_sync_runs(self) -> list[SyncRun]:
        """Each watched connection's newest sync run."""
        newest = (
            sa.select(SyncRun.provider, sa.func.max(SyncRun.started_at).label("started_at"))
            .group_by(SyncRun.provider)
            .subquery()
        )
        statement = (
            sa.select(SyncRun)
            .join(
                newest,
                sa.and_(
                    SyncRun.provider == newest.c.provider,
                    SyncRun.started_at == newest.c.started_at,
                ),
            )
            .join(IntegrationConnection, IntegrationConnection.provider == SyncRun.provider)
            .where(IntegrationConnection.status.in_(WATCHED_CONNECTIONS))
            .order_by(SyncRun.provider)
        )
        return list(self.session.scalars(statement))

    def yards(self, branch_id: uuid.UUID | None) -> list[Branch]:
        """Active branches with coordinates: the map's yard markers."""
        statement = (
            sa.select(Branch)
            .where(
                Branch.is_active.is_(True),
                Branch.latitude.is_not(None),
                Branch.longitude.is_not(None),
            )
            .order_by(Branch.name)
        )
        if branch_id is not None:
            statement = statement.where(Branch.id == branch_id)
        return list(self.session.scalars(statement))

    def branches(self) -> list[Branch]:
        """Active branches by name, for the branch filter."""
        statement = sa.select(Branch).where(Branch.is_active.is_(True)).order_by(Branch.name)
        return list(self.session.scalars(statement))
