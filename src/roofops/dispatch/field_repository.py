"""Queries of the field side of dispatch: day routes, calendar feeds, acknowledgements and
notifications."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, selectinload

from roofops.dispatch.changes import VISIT_PHASE, Placement, WorkChange, compare
from roofops.kit.repository import found, in_chunks
from roofops.models.crew import Crew
from roofops.models.customer import Customer
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchPlan,
    Holiday,
    JobRequirements,
    PlanKind,
    PlanStatus,
    RouteStop,
    ScheduleAcknowledgement,
    ScheduleEntry,
    StopKind,
)
from roofops.models.enums import JobStage, JobType, Role
from roofops.models.job import Job
from roofops.models.user import User


@dataclass(frozen=True)
class JobContact:
    number: str
    name: str
    address: str
    customer_name: str
    customer_email: str


class FieldRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ----- plans ----------------------------------------------------------------------------
    def plan(self, plan_id: uuid.UUID, *, lock: bool = False) -> DispatchPlan:
        statement = sa.select(DispatchPlan).where(DispatchPlan.id == plan_id)
        if lock:  # fresh values under the lock
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return found(self.session.scalar(statement), "dispatch plan")

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def routes_plan(self, on: date, status: PlanStatus) -> DispatchPlan | None:
        """The day's newest routes plan in ``status``."""
        return self.session.scalar(
            sa.select(DispatchPlan)
            .where(
                DispatchPlan.kind == PlanKind.ROUTES,
                DispatchPlan.route_date == on,
                DispatchPlan.status == status,
            )
            .order_by(DispatchPlan.created_at.desc(), DispatchPlan.id)
            .limit(1)
        )

    def stops(self, plan_id: uuid.UUID) -> list[RouteStop]:
        return list(
            self.session.scalars(
                sa.select(RouteStop)
                .where(RouteStop.plan_id == plan_id)
                .order_by(RouteStop.crew_id, RouteStop.sequence, RouteStop.id)
            )
        )

    def published_since(self, since: date) -> list[DispatchPlan]:
        """The published schedule and the published routes of ``since`` and later: the plans
        a crew may still have to acknowledge, oldest first."""
        return list(
            self.session.scalars(
                sa.select(DispatchPlan)
                .where(
                    DispatchPlan.status == PlanStatus.PUBLISHED,
                    sa.or_(
                        DispatchPlan.kind == PlanKind.SCHEDULE, DispatchPlan.route_date >= since
                    ),
                )
                .order_by(DispatchPlan.published_at, DispatchPlan.id)
            )
        )

    def previous_published_of(
        self, plans: Collection[DispatchPlan]
    ) -> dict[uuid.UUID, DispatchPlan]:
        """The plan each of ``plans`` replaced: the one it was based on, else the newest plan
        of the same kind (and route day) published before it; two queries at most whatever
        the number of plans, and a plan that replaced none is left out."""
        based_on = {plan.id: plan.based_on_id for plan in plans if plan.based_on_id is not None}
        bases = self._plans(set(based_on.values()))
        previous = {pid: bases[bid] for pid, bid in based_on.items() if bid in bases}
        unbased = [p.id for p in plans if p.based_on_id is None and p.published_at is not None]
        return previous | self._published_before(unbased)

    def _plans(self, plan_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, DispatchPlan]:
        if not plan_ids:
            return {}
        rows = self.session.scalars(sa.select(DispatchPlan).where(DispatchPlan.id.in_(plan_ids)))
        return {plan.id: plan for plan in rows}

    def _published_before(self, plan_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, DispatchPlan]:
        """For each plan, the newest of its kind (and route day) published before it."""
        if not plan_ids:
            return {}
        plan, earlier = aliased(DispatchPlan), aliased(DispatchPlan)
        newest_first = sa.func.row_number().over(
            partition_by=plan.id, order_by=earlier.published_at.desc()
        )
        ranked = (
            sa.select(plan.id.label("plan_id"), earlier.id.label("earlier_id"))
            .add_columns(newest_first.label("rank"))
            .join(
                earlier,
                sa.and_(
                    earlier.kind == plan.kind,
                    earlier.id != plan.id,
                    earlier.published_at < plan.published_at,
                    sa.or_(plan.kind != PlanKind.ROUTES, earlier.route_date == plan.route_date),
                ),
            )
            .where(plan.id.in_(plan_ids))
            .subquery()
        )
        rows = self.session.execute(
            sa.select(ranked.c.plan_id, DispatchPlan)
            .join(DispatchPlan, DispatchPlan.id == ranked.c.earlier_id)
            .where(ranked.c.rank == 1)
        )
        return dict(rows.all())

    def placements(self, plan: DispatchPlan) -> list[Placement]:
        return self.placements_of([plan])[plan.id]

    def placements_of(self, plans: Collection[DispatchPlan]) -> dict[uuid.UUID, list[Placement]]:
        """Each plan's crewed work: a routes plan's visits, a schedule's entries (one query per
        kind whatever the number of plans)."""
        placements: dict[uuid.UUID, list[Placement]] = {plan.id: [] for plan in plans}
        routes = [plan.id for plan in plans if plan.kind == PlanKind.ROUTES]
        schedules = [plan.id for plan in plans if plan.kind != PlanKind.ROUTES]
        for stop in self._visits(routes):
            placements[stop.plan_id].append(_visit_placement(stop))
        for entry in self._crewed_entries(schedules):
            placements[entry.plan_id].append(Placement.of_entry(entry))
        return placements

    def published_changes(self, plan_id: uuid.UUID) -> list[WorkChange]:
        """What ``plan_id`` changed against the plan it replaced (everything when none)."""
        plan = self.plan(plan_id)
        return self.published_changes_of([plan])[plan.id]

    def published_changes_of(
        self, plans: Collection[DispatchPlan]
    ) -> dict[uuid.UUID, list[WorkChange]]:
        """What each plan changed against the plan it replaced, read for all plans at once."""
        previous = self.previous_published_of(plans)
        placements = self.placements_of([*plans, *previous.values()])
        return {
            plan.id: compare(
                placements[previous[plan.id].id] if plan.id in previous else [],
                placements[plan.id],
            )
            for plan in plans
        }

    def _visits(self, plan_ids: Collection[uuid.UUID]) -> Iterable[RouteStop]:
        if not plan_ids:
            return []
        return self.session.scalars(
            sa.select(RouteStop).where(
                RouteStop.plan_id.in_(plan_ids),
                RouteStop.kind == StopKind.VISIT,
                RouteStop.crew_id.is_not(None),
                RouteStop.job_id.is_not(None),
            )
        )

    def _crewed_entries(self, plan_ids: Collection[uuid.UUID]) -> Iterable[ScheduleEntry]:
        if not plan_ids:
            return []
        return self.session.scalars(
            sa.select(ScheduleEntry).where(
                ScheduleEntry.plan_id.in_(plan_ids), ScheduleEntry.crew_id.is_not(None)
            )
        )

    # ----- crews and people -----------------------------------------------------------------
    def crew(self, crew_id: uuid.UUID, *, lock: bool = False) -> Crew:
        statement = sa.select(Crew).where(Crew.id == crew_id)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return found(self.session.scalar(statement), "crew")

    def crews(self, crew_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Crew]:
        rows = self.session.scalars(sa.select(Crew).where(Crew.id.in_(list(crew_ids))))
        return {crew.id: crew for crew in rows}

    def route_crews(self) -> list[Crew]:
        """Active crews with their skills and branch, in name order."""
        return list(
            self.session.scalars(
                sa.select(Crew)
                .options(selectinload(Crew.skills), selectinload(Crew.branch))
                .where(Crew.is_active.is_(True))
                .order_by(Crew.name, Crew.id)
            )
        )

    def crew_lead_users(self) -> list[User]:
        return list(
            self.session.scalars(
                sa.select(User)
                .where(User.role == Role.CREW_LEAD, User.is_active.is_(True))
                .order_by(User.email)
            )
        )

    def user(self, user_id: uuid.UUID) -> User | None:
        return self.session.get(User, user_id)

    def is_holiday(self, on: date) -> bool:
        return self.session.scalar(sa.select(Holiday.id).where(Holiday.on == on)) is not None

    def crews_off(self, on: date) -> set[uuid.UUID]:
        return set(
            self.session.scalars(
                sa.select(CrewTimeOff.crew_id).where(
                    CrewTimeOff.starts_on <= on, CrewTimeOff.ends_on >= on
                )
            )
        )

    def published_schedule(
        self,
        first: date | None = None,
        last: date | None = None,
        *,
        job_ids: Collection[uuid.UUID] | None = None,
    ) -> list[ScheduleEntry]:
        """The entries of the published schedule (publishing supersedes the plan before, so
        there is one), those overlapping ``first..last`` and of ``job_ids`` when given, by
        start day and phase."""
        statement = (
            sa.select(ScheduleEntry)
            .join(DispatchPlan, DispatchPlan.id == ScheduleEntry.plan_id)
            .where(
                DispatchPlan.kind == PlanKind.SCHEDULE,
                DispatchPlan.status == PlanStatus.PUBLISHED,
            )
            .order_by(ScheduleEntry.starts_on, ScheduleEntry.phase, ScheduleEntry.id)
        )
        if first is not None:
            statement = statement.where(ScheduleEntry.ends_on >= first)
        if last is not None:
            statement = statement.where(ScheduleEntry.starts_on <= last)
        if job_ids is not None:
            statement = statement.where(ScheduleEntry.job_id.in_(list(job_ids)))
        return list(self.session.scalars(statement))

    # ----- jobs -----------------------------------------------------------------------------
    def routable_jobs(
        self, stages: Mapping[JobType, Collection[JobStage]]
    ) -> list[tuple[Job, JobRequirements | None]]:
        """Open jobs of the route-able types in their route-able stages, with the property and
        the requirements."""
        conditions = [
            sa.and_(Job.job_type == job_type, Job.stage.in_(list(in_stages)))
            for job_type, in_stages in stages.items()
        ]
        return self._with_requirements(sa.or_(*conditions), Job.archived_at.is_(None))

    def job_for_visit(self, job_id: uuid.UUID) -> tuple[Job, JobRequirements | None]:
        rows = self._with_requirements(Job.id == job_id)
        if not rows:
            found(None, "job")
        return rows[0]

    def _with_requirements(
        self, *conditions: sa.ColumnElement[bool]
    ) -> list[tuple[Job, JobRequirements | None]]:
        rows = self.session.execute(
            sa.select(Job, JobRequirements)
            .options(selectinload(Job.property))
            .outerjoin(JobRequirements, JobRequirements.job_id == Job.id)
            .where(*conditions)
            .order_by(Job.number)
        )
        return [(job, requirements) for job, requirements in rows]

    def routed_on_other_days(self, on: date) -> set[uuid.UUID]:
        """Jobs a published routes plan of another day visits: not routed twice."""
        return set(
            self.session.scalars(
                sa.select(RouteStop.job_id)
                .join(DispatchPlan, DispatchPlan.id == RouteStop.plan_id)
                .where(
                    DispatchPlan.kind == PlanKind.ROUTES,
                    DispatchPlan.status == PlanStatus.PUBLISHED,
                    DispatchPlan.route_date != on,
                    RouteStop.crew_id.is_not(None),
                    RouteStop.job_id.is_not(None),
                )
            )
        )

    def job_contacts(self, job_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, JobContact]:
        contacts: dict[uuid.UUID, JobContact] = {}
        for chunk in in_chunks(job_ids):
            jobs = self.session.scalars(
                sa.select(Job)
                .options(selectinload(Job.property), selectinload(Job.customer))
                .where(Job.id.in_(chunk))
            )
            contacts.update({job.id: _contact(job) for job in jobs})
        return contacts

    # ----- calendar feeds -------------------------------------------------------------------
    def published_entries(
        self, crew_id: uuid.UUID, since: date
    ) -> list[tuple[ScheduleEntry, datetime | None]]:
        """The crew's entries in the published schedule, with when it was published."""
        rows = self.session.execute(
            sa.select(ScheduleEntry, DispatchPlan.published_at)
            .join(DispatchPlan, DispatchPlan.id == ScheduleEntry.plan_id)
            .where(
                DispatchPlan.kind == PlanKind.SCHEDULE,
                DispatchPlan.status == PlanStatus.PUBLISHED,
                ScheduleEntry.crew_id == crew_id,
                ScheduleEntry.ends_on >= since,
            )
            .order_by(ScheduleEntry.starts_on, ScheduleEntry.id)
        )
        return [(entry, published_at) for entry, published_at in rows]

    def published_stops(
        self, crew_id: uuid.UUID, since: date
    ) -> list[tuple[RouteStop, datetime | None]]:
        """The crew's visits in published routes plans, with when each was published."""
        rows = self.session.execute(
            sa.select(RouteStop, DispatchPlan.published_at)
            .join(DispatchPlan, DispatchPlan.id == RouteStop.plan_id)
            .where(
                DispatchPlan.kind == PlanKind.ROUTES,
                DispatchPlan.status == PlanStatus.PUBLISHED,
                RouteStop.crew_id == crew_id,
                RouteStop.kind == StopKind.VISIT,
                RouteStop.job_id.is_not(None),
                RouteStop.route_date >= since,
            )
            .order_by(RouteStop.route_date, RouteStop.sequence)
        )
        return [(stop, published_at) for stop, published_at in rows]

    # ----- acknowledgements -----------------------------------------------------------------
    def acknowledged_by(
        self, crew_id: uuid.UUID, plan_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Which of these plans the crew has acknowledged."""
        if not plan_ids:
            return set()
        return set(
            self.session.scalars(
                sa.select(ScheduleAcknowledgement.plan_id).where(
                    ScheduleAcknowledgement.crew_id == crew_id,
                    ScheduleAcknowledgement.plan_id.in_(plan_ids),
                )
            )
        )

    def acknowledgements(self, plan_id: uuid.UUID) -> list[ScheduleAcknowledgement]:
        return list(
            self.session.scalars(
                sa.select(ScheduleAcknowledgement)
                .where(ScheduleAcknowledgement.plan_id == plan_id)
                .order_by(ScheduleAcknowledgement.acknowledged_at)
            )
        )


def _visit_placement(stop: RouteStop) -> Placement:
    assert stop.job_id is not None
    assert stop.crew_id is not None
    return Placement(
        job_id=stop.job_id,
        phase=VISIT_PHASE,
        crew_id=stop.crew_id,
        starts_on=stop.route_date,
        ends_on=stop.route_date,
        start_minute=stop.start_minute,
    )


def _contact(job: Job) -> JobContact:
    customer: Customer = job.customer
    return JobContact(
        number=job.number,
        name=job.name,
        address=job.property.one_line,
        customer_name=customer.display_name,
        customer_email=customer.email,
    )
