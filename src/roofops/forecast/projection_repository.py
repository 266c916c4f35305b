"""Queries behind the projections: jobs with their stage events and requirements, invoices,
crews with their calendars, holidays and the published schedules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roofops.models import Crew, Job, JobStage, JobStageEvent
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchPlan,
    Holiday,
    JobRequirements,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
)
from roofops.models.financials import JobFinancials
from roofops.models.invoice import Invoice, InvoiceStatus


class ProjectionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stage_events(self) -> Sequence[sa.Row[uuid.UUID, JobStage, datetime]]:
        """Every stage move, by job and in the order they happened."""
        statement = sa.select(
            JobStageEvent.job_id, JobStageEvent.to_stage, JobStageEvent.occurred_at
        ).order_by(JobStageEvent.job_id, JobStageEvent.occurred_at)
        return self.session.execute(statement).all()

    def estimated_contracts(self) -> dict[uuid.UUID, int | None]:
        statement = sa.select(JobFinancials.job_id, JobFinancials.estimated_contract_cents)
        return {row.job_id: row.estimated_contract_cents for row in self.session.execute(statement)}

    def requirements_by_job(self) -> dict[uuid.UUID, JobRequirements]:
        return {row.job_id: row for row in self.session.scalars(sa.select(JobRequirements))}

    def jobs(self) -> Sequence[Job]:
        return self.session.scalars(sa.select(Job).order_by(Job.number)).all()

    def invoiced(self) -> Sequence[sa.Row[uuid.UUID, date, int]]:
        """(job, issue date, total) of every invoice that is not void."""
        statement = sa.select(Invoice.job_id, Invoice.issue_date, Invoice.total_cents).where(
            Invoice.status != InvoiceStatus.VOID
        )
        return self.session.execute(statement).all()

    def time_off(self) -> Sequence[CrewTimeOff]:
        return self.session.scalars(sa.select(CrewTimeOff)).all()

    def active_crews(self) -> Sequence[Crew]:
        """Active crews with their skills loaded, by name."""
        statement = (
            sa.select(Crew)
            .where(Crew.is_active)
            .options(selectinload(Crew.skills))
            .order_by(Crew.name)
        )
        return self.session.scalars(statement).all()

    def holidays(self) -> frozenset[date]:
        return frozenset(self.session.scalars(sa.select(Holiday.on)))

    def published_schedules(self) -> Sequence[DispatchPlan]:
        """Schedules ever published (superseded ones too), the latest first."""
        statement = (
            sa.select(DispatchPlan)
            .where(
                DispatchPlan.kind == PlanKind.SCHEDULE,
                DispatchPlan.status.in_((PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)),
                DispatchPlan.published_at.is_not(None),
            )
            .order_by(DispatchPlan.published_at.desc())
        )
        return self.session.scalars(statement).all()

    def crewed_entries(self, plan_id: uuid.UUID) -> Sequence[ScheduleEntry]:
        statement = sa.select(ScheduleEntry).where(
            ScheduleEntry.plan_id == plan_id, ScheduleEntry.crew_id.is_not(None)
        )
        return self.session.scalars(statement).all()
