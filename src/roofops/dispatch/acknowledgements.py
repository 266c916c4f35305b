"""Crews acknowledging a published plan that changed their work.

The crews that must acknowledge a plan are those whose work it changed against the plan it
replaced (:mod:`roofops.dispatch.changes`), the same crews its notifications went to. A second
acknowledgement of the same plan by the same crew returns the first one (a double tap on a
phone is not an error).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.dispatch.changes import crews_changed
from roofops.dispatch.crew_leads import require_acts_for
from roofops.dispatch.field_repository import FieldRepository
from roofops.exceptions import Conflict
from roofops.kit.time import utcnow
from roofops.models.dispatch import DispatchPlan, PlanStatus, ScheduleAcknowledgement


@dataclass(frozen=True)
class CrewAcknowledgement:
    crew_id: uuid.UUID
    crew_name: str
    acknowledged_at: datetime | None
    user_id: uuid.UUID | None


@dataclass(frozen=True)
class PlanAcknowledgements:
    plan_id: uuid.UUID
    status: PlanStatus
    crews: list[CrewAcknowledgement]  # every crew whose work the plan changed, by name

    @property
    def pending(self) -> list[CrewAcknowledgement]:
        return [crew for crew in self.crews if crew.acknowledged_at is None]


class Acknowledgements:
    def of_plan(self, db: Session, plan_id: uuid.UUID) -> PlanAcknowledgements:
        """Who has and who has not acknowledged the plan (empty for a draft)."""
        repository = FieldRepository(db)
        plan = repository.plan(plan_id)
        required = _required_crews(repository, plan)
        done = {ack.crew_id: ack for ack in repository.acknowledgements(plan_id)}
        crews = repository.crews(required)
        rows = [
            CrewAcknowledgement(
                crew_id=crew_id,
                crew_name=crews[crew_id].name,
                acknowledged_at=done[crew_id].acknowledged_at if crew_id in done else None,
                user_id=done[crew_id].user_id if crew_id in done else None,
            )
            for crew_id in required
        ]
        rows.sort(key=lambda row: (row.crew_name.lower(), str(row.crew_id)))
        return PlanAcknowledgements(plan.id, plan.status, rows)

    def pending_for(self, db: Session, crew_id: uuid.UUID, since: date) -> list[DispatchPlan]:
        """The published plans (the schedule, the routes of ``since`` and later) that changed
        the crew's work and that it has not acknowledged, oldest first: a fixed number of
        queries whatever the number of plans (the crew page shows them on every view)."""
        repository = FieldRepository(db)
        plans = repository.published_since(since)
        changes = repository.published_changes_of(plans)
        done = repository.acknowledged_by(crew_id, [plan.id for plan in plans])
        return [
            plan
            for plan in plans
            if plan.id not in done and crew_id in crews_changed(changes[plan.id])
        ]

    def acknowledge(
        self, db: Session, principal: Principal, plan_id: uuid.UUID, crew_id: uuid.UUID
    ) -> ScheduleAcknowledgement:
        """Record that ``crew_id`` saw the plan: 409 unless the plan is the published one and
        changed the crew's work; 403 for a crew lead of another crew."""
        repository = FieldRepository(db)
        plan = repository.plan(plan_id)
        crew = repository.crew(crew_id)
        require_acts_for(db, principal, crew, Permission.ACKNOWLEDGE_SCHEDULE, "acknowledge")
        if plan.status != PlanStatus.PUBLISHED:
            raise Conflict(
                f"this plan is {plan.status.value}: only the published plan is acknowledged",
                field="plan_id",
            )
        if crew_id not in _required_crews(repository, plan):
            raise Conflict(
                f"this plan did not change the work of {crew.name}: nothing to acknowledge",
                field="crew_id",
            )
        existing = _existing(repository, plan_id, crew_id)
        return existing or _record(db, repository, principal, plan_id, crew_id)


def _required_crews(repository: FieldRepository, plan: DispatchPlan) -> list[uuid.UUID]:
    if plan.status not in (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED):
        return []
    return sorted(crews_changed(repository.published_changes(plan.id)), key=str)


def _existing(
    repository: FieldRepository, plan_id: uuid.UUID, crew_id: uuid.UUID
) -> ScheduleAcknowledgement | None:
    return next(
        (ack for ack in repository.acknowledgements(plan_id) if ack.crew_id == crew_id), None
    )


def _record(
    db: Session,
    repository: FieldRepository,
    principal: Principal,
    plan_id: uuid.UUID,
    crew_id: uuid.UUID,
) -> ScheduleAcknowledgement:
    acknowledgement = ScheduleAcknowledgement(
        plan_id=plan_id, crew_id=crew_id, user_id=principal.user_id, acknowledged_at=utcnow()
    )
    try:
        with db.begin_nested():  # a racing tap by the same crew wins; this one reads it back
            repository.add(acknowledgement)
    except IntegrityError:
        existing = _existing(repository, plan_id, crew_id)
        assert existing is not None
        return existing
    audit_service.record(
        db,
        principal,
        action="dispatch_plan.acknowledged",
        entity_type="dispatch_plan",
        entity_id=plan_id,
        reason=f"for crew {crew_id}",
    )
    return acknowledgement


acknowledgements = Acknowledgements()
