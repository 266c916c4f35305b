"""The production schedule: the board, optimizing and re-planning into a draft, manual moves,
locks, events, the difference to the published plan, publishing and discarding.

Services flush only; the request, task or command that called commits. A draft is the one
working copy the dispatcher changes (optimize, re-plan or moves); publishing it supersedes the
published plan and tells the crews (the publish hooks).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes, audit_service, change
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.crew.service import require_crew
from roofops.dispatch.board import Board, build_board
from roofops.dispatch.diff import PlanDiff, plan_diff
from roofops.dispatch.inputs import ScheduleInputs, load_schedule_inputs
from roofops.dispatch.moves import Placement, check_move
from roofops.dispatch.planning import (
    Proposal,
    Search,
    entries_for,
    greedy_search,
    propose,
    replan_search,
    solver_search,
)
from roofops.dispatch.repository import (
    CalendarRepository,
    DispatchCrewRepository,
    DispatchJobRepository,
    EventRepository,
    PlanRepository,
    RequirementsRepository,
)
from roofops.dispatch.schemas import EventIn, HolidayIn, RequirementsUpdate, TimeOffIn
from roofops.dispatch.weather import NoWeather, WeatherOutlook
from roofops.engines.scheduling.model import ScheduleWeights
from roofops.events.bus import publish as publish_event
from roofops.exceptions import Conflict, ValidationFailed
from roofops.kit.repository import found
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.crew import Crew
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchEvent,
    DispatchEventKind,
    DispatchPlan,
    Holiday,
    JobRequirements,
    Phase,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
    TimeOffKind,
)
from roofops.models.job import Job
from roofops.worker.queue import enqueue

log = get_logger(__name__)

OPTIMIZE_TASK = "dispatch.optimize"
REPLAN_TASK = "dispatch.replan"
PROGRESS_TOPIC = "dispatch.progress"

# (phase, percent, message): the task publishes these as "dispatch.progress" events.
Progress = Callable[[str, int, str], None]
LOADING_LINE = "Reading crews, jobs, calendars and the forecast"


@dataclass(frozen=True)
class PlanRequest:
    """A plan to make: the engine's inputs, how to search, and what the draft will record."""

    inputs: ScheduleInputs
    search: Search
    trigger: str
    published_id: uuid.UUID | None
    event_id: uuid.UUID | None = None

    @property
    def solving_line(self) -> str:
        return f"Scheduling {len(self.inputs.problem.tasks)} job phases"


# Called in the publishing transaction with the new plan's id (crew and customer notices).
PublishHook = Callable[[Session, uuid.UUID], None]


def _quiet(_phase: str, _percent: int, _message: str) -> None:
    """No progress display."""


@dataclass(frozen=True)
class MoveOutcome:
    refused: bool
    reasons: tuple[str, ...] = ()
    plan_id: uuid.UUID | None = None


def schedule_weights() -> ScheduleWeights:
    settings = get_settings()
    return ScheduleWeights(
        lateness=settings.dispatch_weight_lateness,
        travel_per_km=settings.dispatch_weight_travel_per_km,
        idle=settings.dispatch_weight_idle,
        change=settings.dispatch_weight_change,
    )


class DispatchService:
    def __init__(self) -> None:
        self.weather: WeatherOutlook = NoWeather()
        self.publish_hooks: list[PublishHook] = []

    def connect_weather(self, outlook: WeatherOutlook) -> None:
        """The composition root connects the forecast-reading outlook."""
        self.weather = outlook

    def connect_publish_hook(self, hook: PublishHook) -> None:
        if hook not in self.publish_hooks:
            self.publish_hooks.append(hook)

    # ----- reading ----------------------------------------------------------------------------
    def board(
        self, db: Session, start: date, days: int, branch_id: uuid.UUID | None = None
    ) -> Board:
        return build_board(db, start, days, branch_id, self.weather)

    def plan(self, db: Session, plan_id: uuid.UUID) -> DispatchPlan:
        return found(PlanRepository(db).get(plan_id), "dispatch plan")

    def plans(self, db: Session, limit: int = 20) -> list[DispatchPlan]:
        return PlanRepository(db).recent(PlanKind.SCHEDULE, limit)

    def entries(self, db: Session, plan_id: uuid.UUID) -> list[ScheduleEntry]:
        return PlanRepository(db).entries(self.plan(db, plan_id).id)

    def published(self, db: Session) -> DispatchPlan | None:
        return PlanRepository(db).latest(PlanKind.SCHEDULE, PlanStatus.PUBLISHED)

    def draft(self, db: Session) -> DispatchPlan | None:
        return PlanRepository(db).latest(PlanKind.SCHEDULE, PlanStatus.DRAFT)

    def labels(self, db: Session, entries: Sequence[ScheduleEntry]) -> dict[uuid.UUID, str]:
        """Job numbers and crew names by id, for printing entries."""
        jobs = DispatchJobRepository(db).by_ids({e.job_id for e in entries})
        crew_ids = {e.crew_id for e in entries if e.crew_id is not None}
        crews = DispatchCrewRepository(db).by_ids(crew_ids)
        return {job.id: job.number for job in jobs} | {crew.id: crew.name for crew in crews}

    def diff(self, db: Session, plan_id: uuid.UUID) -> PlanDiff:
        """What the plan changes against the plan it is based on (or the published one)."""
        plan = self.plan(db, plan_id)
        plans = PlanRepository(db)
        base_id = plan.based_on_id or _id(self.published(db))
        before = plans.entries(base_id) if base_id and base_id != plan.id else []
        entries = plans.entries(plan.id)
        job_ids = {e.job_id for e in [*entries, *before]}
        jobs = {job.id: job for job in DispatchJobRepository(db).by_ids(job_ids)}
        crew_ids = {e.crew_id for e in [*entries, *before] if e.crew_id is not None}
        crews = {crew.id: crew for crew in DispatchCrewRepository(db).by_ids(crew_ids)}
        return plan_diff(plan, entries, before, jobs, crews)

    # ----- making plans -----------------------------------------------------------------------
    # A plan is made in three steps so that a background run holds no transaction while the
    # solver searches (on SQLite a writing transaction would lock every other writer out for
    # the whole search): prepare (read), propose (pure, no database), save (a short write).
    def optimize(
        self,
        db: Session,
        principal: Principal,
        start: date | None = None,
        days: int | None = None,
        *,
        time_limit: float | None = None,
        progress: Progress = _quiet,
        quick: bool = False,
    ) -> DispatchPlan:
        """A new draft for ``days`` calendar days from ``start`` (today and the configured
        horizon by default), searched for at most ``time_limit`` seconds (``quick``: the greedy
        dispatcher alone)."""
        progress("loading", 5, LOADING_LINE)
        request = self.prepare_optimize(db, start, days, time_limit=time_limit, quick=quick)
        return self._plan(db, principal, request, progress)

    def replan(
        self,
        db: Session,
        principal: Principal,
        event_id: uuid.UUID,
        *,
        time_limit: float | None = None,
        progress: Progress = _quiet,
    ) -> DispatchPlan:
        """A draft that absorbs the event and changes as little of the published plan as it
        can: work in progress stays, every move away from it is paid for in the objective."""
        progress("loading", 5, LOADING_LINE)
        request = self.prepare_replan(db, event_id, time_limit=time_limit)
        return self._plan(db, principal, request, progress)

    def prepare_optimize(
        self,
        db: Session,
        start: date | None = None,
        days: int | None = None,
        *,
        time_limit: float | None = None,
        quick: bool = False,
    ) -> PlanRequest:
        """What an optimizer run needs, read from the database (nothing is written)."""
        settings = get_settings()
        first = start or company_service.today(db)
        limit = time_limit or settings.dispatch_time_limit_seconds
        search = greedy_search() if quick else solver_search(limit)
        window = (first, days or settings.dispatch_horizon_days)
        return self._request(db, window, search, trigger="optimize")

    def prepare_replan(
        self, db: Session, event_id: uuid.UUID, *, time_limit: float | None = None
    ) -> PlanRequest:
        """What a re-plan after the event needs, read from the database (nothing is written)."""
        event = found(EventRepository(db).get(event_id), "dispatch event")
        published = self.published(db)
        if published is None:
            raise Conflict("nothing is published to re-plan: run Optimize and publish first")
        first = max(company_service.today(db), published.horizon_start)
        last = max(published.horizon_end, first + timedelta(days=6))
        limit = time_limit or get_settings().dispatch_replan_time_limit_seconds
        trigger = f"replan: {event.kind.value.replace('_', ' ')}"
        window = (first, (last - first).days + 1)
        return self._request(db, window, replan_search(limit), trigger=trigger, event=event)

    def _request(
        self,
        db: Session,
        window: tuple[date, int],
        search: Search,
        *,
        trigger: str,
        event: DispatchEvent | None = None,
    ) -> PlanRequest:
        published = self.published(db)
        inputs = load_schedule_inputs(
            db, *window, weather=self.weather, weights=schedule_weights(), published=published
        )
        if event is not None and event.kind == DispatchEventKind.OVERRUN:
            inputs = with_overrun(inputs, event)
        return PlanRequest(inputs, search, trigger, _id(published), event.id if event else None)

    def save_proposal(
        self, db: Session, principal: Principal, request: PlanRequest, proposal: Proposal
    ) -> DispatchPlan:
        """The proposal as the new draft, unless the published plan it was made from has been
        replaced meanwhile (the draft would undo that publication)."""
        published = self.published(db)
        if _id(published) != request.published_id:
            raise Conflict("another plan was published while this one was being made: run it again")
        plan = self._store(db, principal, request, proposal, published=published)
        if request.event_id is not None:
            found(EventRepository(db).get(request.event_id), "dispatch event").plan_id = plan.id
            db.flush()
        return plan

    def _plan(
        self, db: Session, principal: Principal, request: PlanRequest, progress: Progress
    ) -> DispatchPlan:
        progress("solving", 20, request.solving_line)
        proposal = propose(request.inputs.problem, request.search)
        progress("saving", 90, summary_line(proposal))
        return self.save_proposal(db, principal, request, proposal)

    def _store(
        self,
        db: Session,
        principal: Principal,
        request: PlanRequest,
        proposal: Proposal,
        *,
        published: DispatchPlan | None,
    ) -> DispatchPlan:
        """The proposal as the new draft; an older draft is discarded (one working copy)."""
        inputs, trigger = request.inputs, request.trigger
        self._discard_drafts(db, principal)
        plans = PlanRepository(db)
        plan = plans.add(
            DispatchPlan(
                kind=PlanKind.SCHEDULE,
                status=PlanStatus.DRAFT,
                horizon_start=inputs.horizon.start,
                horizon_end=inputs.horizon.end,
                trigger=trigger,
                solver=proposal.solver,
                note=proposal.note,
                objective=proposal.objective,
                bound=proposal.bound,
                gap_pct=proposal.gap_pct,
                solve_seconds=proposal.seconds,
                breakdown=proposal.breakdown,
                based_on_id=_id(published),
                created_by_id=principal.user_id,
            )
        )
        before = plans.entries(published.id) if published else []
        plans.add_entries(entries_for(inputs, proposal, plan.id, before))
        audit_service.created(db, principal, "dispatch_plan", plan.id)
        log.info("dispatch.plan.drafted", plan_id=str(plan.id), solver=proposal.solver)
        return plan

    def start_optimize(
        self,
        db: Session,
        principal: Principal,
        start: date | None = None,
        days: int | None = None,
        time_limit: float | None = None,
    ) -> str:
        """Queue the optimizer; its progress comes as "dispatch.progress" events of the id."""
        run_id = str(uuid.uuid4())
        enqueue(
            db,
            OPTIMIZE_TASK,
            run_id=run_id,
            start=start.isoformat() if start else None,
            days=days,
            time_limit=time_limit,
            user_id=_str(principal.user_id),
        )
        self.announce(db, run_id, phase="queued", percent=0, message="Waiting for a worker")
        return run_id

    def start_replan(self, db: Session, principal: Principal, event_id: uuid.UUID) -> str:
        found(EventRepository(db).get(event_id), "dispatch event")
        if self.published(db) is None:
            raise Conflict("nothing is published to re-plan: run Optimize and publish first")
        run_id = str(uuid.uuid4())
        enqueue(
            db,
            REPLAN_TASK,
            run_id=run_id,
            event_id=str(event_id),
            user_id=_str(principal.user_id),
        )
        self.announce(db, run_id, phase="queued", percent=0, message="Waiting for a worker")
        return run_id

    def announce(
        self,
        db: Session,
        run_id: str,
        *,
        phase: str,
        percent: int,
        message: str,
        plan_id: uuid.UUID | None = None,
    ) -> None:
        payload = {"run_id": run_id, "phase": phase, "percent": percent, "message": message}
        if plan_id is not None:
            payload["plan_id"] = str(plan_id)
        publish_event(db, PROGRESS_TOPIC, payload, seen_with=Permission.VIEW_CREWS)

    # ----- changing the draft -----------------------------------------------------------------
    def move(  # noqa: PLR0917 (the signature the board and the contract use)
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        phase: Phase,
        crew_id: uuid.UUID,
        start_on: date,
    ) -> MoveOutcome:
        """Put one phase of a job on a crew from a day, in the draft (made from the published
        plan when there is none), if the plan check allows it; else the refusal sentences."""
        job = found(DispatchJobRepository(db).job(job_id), "job")
        # A refused move writes nothing, not even the draft it was checked against.
        trial = db.begin_nested()
        draft = self._working_draft(db, principal)
        plans = PlanRepository(db)
        entries = plans.entries(draft.id)
        inputs = self._inputs_for(db, draft)
        placement = check_move(inputs, entries, job, phase, (crew_id, start_on))
        if isinstance(placement, list):
            trial.rollback()
            return MoveOutcome(refused=True, reasons=tuple(placement))
        trial.commit()
        entry = next((e for e in entries if e.job_id == job_id and e.phase == phase), None)
        if entry is None:
            entry = ScheduleEntry(plan_id=draft.id, job_id=job_id, phase=phase)
            plans.add_entries([entry])
        before = _slot_of(job.number, entry)
        _place(entry, placement, f"Moved by hand by {principal.label}.")
        audit_service.record(
            db,
            principal,
            action="dispatch.moved",
            entity_type="dispatch_plan",
            entity_id=draft.id,
            changes={"job": change(before, _slot_of(job.number, entry))},
        )
        db.flush()
        return MoveOutcome(refused=False, plan_id=draft.id)

    def _working_draft(self, db: Session, principal: Principal) -> DispatchPlan:
        """The draft, or a new one copying the published plan (or empty) from today."""
        draft = self.draft(db)
        if draft is not None:
            return draft
        published = self.published(db)
        today = company_service.today(db)
        days = get_settings().dispatch_horizon_days
        end = max(published.horizon_end if published else today, today + timedelta(days - 1))
        plans = PlanRepository(db)
        draft = plans.add(
            DispatchPlan(
                kind=PlanKind.SCHEDULE,
                status=PlanStatus.DRAFT,
                horizon_start=today,
                horizon_end=end,
                trigger="manual move",
                solver="manual",
                based_on_id=_id(published),
                created_by_id=principal.user_id,
            )
        )
        if published is not None:
            plans.add_entries([_copy(entry, draft.id) for entry in plans.entries(published.id)])
        return draft

    def _inputs_for(self, db: Session, plan: DispatchPlan) -> ScheduleInputs:
        start = max(plan.horizon_start, company_service.today(db))
        end = max(plan.horizon_end, start)
        return load_schedule_inputs(
            db,
            start,
            (end - start).days + 1,
            weather=self.weather,
            weights=schedule_weights(),
            published=self.published(db),
        )

    # ----- locks and requirements -------------------------------------------------------------
    def requirements(self, db: Session, job_id: uuid.UUID) -> JobRequirements:
        """The job's requirements (defaults, not saved, when none were ever set)."""
        found(DispatchJobRepository(db).job(job_id), "job")
        return RequirementsRepository(db).for_job(job_id) or JobRequirements(
            job_id=job_id, with_gutters=False, visit_minutes=60
        )

    def update_requirements(
        self, db: Session, principal: Principal, job_id: uuid.UUID, data: RequirementsUpdate
    ) -> JobRequirements:
        requirements = self._saved_requirements(db, job_id)
        values = data.changes()
        start = values.get("window_start_minute", requirements.window_start_minute)
        end = values.get("window_end_minute", requirements.window_end_minute)
        if start is not None and end is not None and end <= start:
            raise ValidationFailed("the window ends before it starts", field="window_end_minute")
        changes = apply_changes(requirements, values)
        audit_service.updated(db, principal, "job_requirements", job_id, changes)
        db.flush()
        return requirements

    def set_lock(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        crew_id: uuid.UUID | None,
        start_on: date | None,
    ) -> JobRequirements:
        """Pin the job's first phase to a crew and/or a start day: the optimizer keeps it."""
        if crew_id is not None:
            require_crew(db, crew_id)
        requirements = self._saved_requirements(db, job_id)
        changes = apply_changes(
            requirements, {"locked_crew_id": crew_id, "locked_start_on": start_on}
        )
        audit_service.updated(db, principal, "job_requirements", job_id, changes)
        db.flush()
        return requirements

    def clear_lock(self, db: Session, principal: Principal, job_id: uuid.UUID) -> JobRequirements:
        return self.set_lock(db, principal, job_id, None, None)

    def _saved_requirements(self, db: Session, job_id: uuid.UUID) -> JobRequirements:
        found(DispatchJobRepository(db).job(job_id), "job")
        repository = RequirementsRepository(db)
        return repository.for_job(job_id) or repository.add(
            JobRequirements(job_id=job_id, with_gutters=False, visit_minutes=60)
        )

    # ----- events, holidays, time off ---------------------------------------------------------
    def record_event(self, db: Session, principal: Principal, data: EventIn) -> DispatchEvent:
        """Record what happened and apply what it means to the inputs (a crew out becomes
        time off, late materials move the materials date); a re-plan then absorbs it."""
        event = DispatchEvent(**data.model_dump(), created_by_id=principal.user_id)
        _require_references(db, event)
        _EVENT_RULES[data.kind](db, principal, event)
        EventRepository(db).add(event)
        audit_service.created(db, principal, "dispatch_event", event.id)
        return event

    def events(self, db: Session, limit: int = 50) -> list[DispatchEvent]:
        return EventRepository(db).recent(limit)

    def unanswered_events(
        self, db: Session, limit: int = 10
    ) -> list[tuple[DispatchEvent, str | None]]:
        """Events waiting for a re-plan, newest first, with the crew's name where one is named."""
        return EventRepository(db).unanswered(limit)

    def jobs_with_sites(self, db: Session, job_ids: Collection[uuid.UUID]) -> list[Job]:
        """These jobs with their property loaded (for a map of their sites)."""
        return DispatchJobRepository(db).by_ids(job_ids)

    def crews(self, db: Session, crew_ids: Collection[uuid.UUID]) -> list[Crew]:
        return sorted(DispatchCrewRepository(db).by_ids(crew_ids), key=lambda crew: crew.name)

    def holidays(self, db: Session, first: date, last: date) -> list[Holiday]:
        return CalendarRepository(db).holidays(first, last)

    def add_holiday(self, db: Session, principal: Principal, data: HolidayIn) -> Holiday:
        calendar = CalendarRepository(db)
        if calendar.holidays(data.on, data.on):
            raise Conflict(f"{data.on} is already a holiday", field="on")
        holiday = calendar.add_holiday(Holiday(on=data.on, name=data.name))
        audit_service.created(db, principal, "holiday", holiday.id)
        return holiday

    def time_off(self, db: Session, first: date, last: date) -> list[CrewTimeOff]:
        return CalendarRepository(db).time_off(first, last)

    def add_time_off(self, db: Session, principal: Principal, data: TimeOffIn) -> CrewTimeOff:
        require_crew(db, data.crew_id)
        entry = CalendarRepository(db).add_time_off(
            CrewTimeOff(**data.model_dump(), created_by_id=principal.user_id)
        )
        audit_service.created(db, principal, "crew_time_off", entry.id)
        return entry

    # ----- publishing -------------------------------------------------------------------------
    def publish(
        self, db: Session, principal: Principal, plan_id: uuid.UUID, *, announce: bool = True
    ) -> DispatchPlan:
        """The draft becomes the plan crews work from; the one before is superseded; each
        scheduled job shows its crew and the publish hooks tell crews and customers.
        ``announce=False`` (the demo's starting plan) leaves jobs and people alone."""
        plan = self._draft_plan(db, plan_id, "publish")
        old = self.published(db)
        if old is not None:
            old.status = PlanStatus.SUPERSEDED
        plan.status, plan.published_at = PlanStatus.PUBLISHED, utcnow()
        plan.published_by_id = principal.user_id
        if announce:
            self._assign_crews(db, plan)
        audit_service.record(
            db,
            principal,
            action="dispatch.published",
            entity_type="dispatch_plan",
            entity_id=plan.id,
            changes={"superseded": {"old": _str(_id(old)), "new": None}},
        )
        db.flush()
        for hook in self.publish_hooks if announce else ():
            hook(db, plan.id)
        return plan

    def discard(self, db: Session, principal: Principal, plan_id: uuid.UUID) -> DispatchPlan:
        plan = self._draft_plan(db, plan_id, "discard")
        plan.status = PlanStatus.DISCARDED
        audit_service.record(
            db,
            principal,
            action="dispatch.discarded",
            entity_type="dispatch_plan",
            entity_id=plan.id,
        )
        db.flush()
        return plan

    def _draft_plan(self, db: Session, plan_id: uuid.UUID, verb: str) -> DispatchPlan:
        plan = self.plan(db, plan_id)
        if plan.kind != PlanKind.SCHEDULE or plan.status != PlanStatus.DRAFT:
            raise Conflict(f"only a draft schedule can be {verb}ed; this plan is {plan.status}")
        return plan

    def _discard_drafts(self, db: Session, principal: Principal) -> None:
        for draft in PlanRepository(db).in_status(PlanKind.SCHEDULE, PlanStatus.DRAFT):
            self.discard(db, principal, draft.id)

    def _assign_crews(self, db: Session, plan: DispatchPlan) -> None:
        """Each scheduled job shows the crew of its first phase (its stage is left alone:
        production moves it when the crew actually starts)."""
        entries = PlanRepository(db).entries(plan.id)
        first: dict[uuid.UUID, uuid.UUID] = {}
        for entry in sorted(entries, key=lambda e: e.starts_on or date.max):
            if entry.crew_id is not None:
                first.setdefault(entry.job_id, entry.crew_id)
        for job in DispatchJobRepository(db).by_ids(first):
            job.crew_id = first[job.id]


# ----- what each event means for the inputs ----------------------------------------------------
def _crew_out(db: Session, principal: Principal, event: DispatchEvent) -> None:
    if event.crew_id is None:
        raise ValidationFailed("a crew-out event names the crew", field="crew_id")
    require_crew(db, event.crew_id)
    first = event.starts_on or company_service.today(db)
    last = event.ends_on or first + timedelta(days=max(event.days, 1) - 1)
    event.starts_on, event.ends_on = first, last
    CalendarRepository(db).add_time_off(
        CrewTimeOff(
            crew_id=event.crew_id,
            starts_on=first,
            ends_on=last,
            kind=TimeOffKind.CREW_OUT,
            note=event.note,
            created_by_id=principal.user_id,
        )
    )


def _overrun(db: Session, _principal: Principal, event: DispatchEvent) -> None:
    _require_job(db, event)
    if event.days < 1:
        raise ValidationFailed("an overrun adds at least one working day", field="days")


def _late_materials(db: Session, principal: Principal, event: DispatchEvent) -> None:
    job_id = _require_job(db, event)
    if event.starts_on is None:
        raise ValidationFailed("give the new delivery day as starts_on", field="starts_on")
    dispatch_service.update_requirements(
        db, principal, job_id, RequirementsUpdate(materials_ready_on=event.starts_on)
    )


def _urgent_job(db: Session, _principal: Principal, event: DispatchEvent) -> None:
    _require_job(db, event)


def _weather(_db: Session, _principal: Principal, _event: DispatchEvent) -> None:
    """The forecast table already holds the change; the re-plan reads it again."""


def _require_references(db: Session, event: DispatchEvent) -> None:
    """A crew or job an event names exists, whatever the kind (an unknown id is a 422 that
    says so, not a foreign-key failure)."""
    if event.crew_id is not None:
        require_crew(db, event.crew_id)
    if event.job_id is not None and DispatchJobRepository(db).job(event.job_id) is None:
        raise ValidationFailed("no job with this id", field="job_id")


def _require_job(db: Session, event: DispatchEvent) -> uuid.UUID:
    if event.job_id is None or DispatchJobRepository(db).job(event.job_id) is None:
        raise ValidationFailed(f"a {event.kind.value} event names the job", field="job_id")
    return event.job_id


_EVENT_RULES: dict[DispatchEventKind, Callable[[Session, Principal, DispatchEvent], None]] = {
    DispatchEventKind.CREW_OUT: _crew_out,
    DispatchEventKind.OVERRUN: _overrun,
    DispatchEventKind.LATE_MATERIALS: _late_materials,
    DispatchEventKind.URGENT_JOB: _urgent_job,
    DispatchEventKind.WEATHER: _weather,
}


def with_overrun(inputs: ScheduleInputs, event: DispatchEvent) -> ScheduleInputs:
    """The job's phase under way (in the published plan) runs ``event.days`` longer."""
    from roofops.engines.scheduling.replan import TaskOverrun, apply_event

    planned = {a.task_id for a in inputs.problem.published}
    key = next(
        (k for k, ref in inputs.tasks.items() if ref.job_id == event.job_id and k in planned),
        None,
    )
    if key is None:
        raise Conflict("the job is not in the published plan: it cannot overrun")
    problem = apply_event(inputs.problem, TaskOverrun(key, event.days))
    return dataclasses.replace(inputs, problem=problem)


def _place(entry: ScheduleEntry, placement: Placement, reason: str) -> None:
    entry.crew_id, entry.reason = placement.crew_id, reason
    entry.work_days = [day.isoformat() for day in placement.days]
    entry.starts_on, entry.ends_on = placement.days[0], placement.days[-1]


def _slot_of(job_number: str, entry: ScheduleEntry) -> dict[str, object]:
    return {"job": job_number, "crew_id": entry.crew_id, "starts_on": entry.starts_on}


def _copy(entry: ScheduleEntry, plan_id: uuid.UUID) -> ScheduleEntry:
    return ScheduleEntry(
        plan_id=plan_id,
        job_id=entry.job_id,
        phase=entry.phase,
        crew_id=entry.crew_id,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        work_days=list(entry.work_days),
        locked=entry.locked,
        in_progress=entry.in_progress,
        reason=entry.reason,
    )


def summary_line(proposal: Proposal) -> str:
    placed, left = len(proposal.assignments), len(proposal.unscheduled)
    gap = f", gap {proposal.gap_pct:.1f} %" if proposal.gap_pct is not None else ""
    return f"{placed} phases placed, {left} unscheduled ({proposal.solver}{gap})"


def _id(plan: DispatchPlan | None) -> uuid.UUID | None:
    return plan.id if plan is not None else None


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


dispatch_service = DispatchService()
