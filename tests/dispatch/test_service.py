"""The schedule service on the real database: optimize into a checked draft, explain what is
left out, refuse and apply manual moves, locks, publish, events and re-plans with their
difference."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.dispatch.diff import ChangeKind
from roofops.dispatch.inputs import load_schedule_inputs
from roofops.dispatch.planning import violations
from roofops.dispatch.schemas import EventIn
from roofops.dispatch.service import dispatch_service, schedule_weights
from roofops.dispatch.weather import NoWeather
from roofops.exceptions import Conflict
from roofops.models import DispatchEventKind, DispatchPlan, Job, JobStage, Material, PlanStatus
from roofops.models.dispatch import Phase
from tests.dispatch.conftest import MONDAY, SOLVE_SECONDS, Shop
from tests.factories import make_job, make_requirements


def _optimize(db: Session, principal: Principal) -> DispatchPlan:
    return dispatch_service.optimize(db, principal, MONDAY, 14, time_limit=SOLVE_SECONDS)


def _placed(db: Session, plan: DispatchPlan) -> dict[tuple[uuid.UUID, Phase], list[date]]:
    return {
        (e.job_id, e.phase): [date.fromisoformat(d) for d in e.work_days]
        for e in dispatch_service.entries(db, plan.id)
        if e.crew_id is not None
    }


def test_optimize_stores_a_checked_draft_with_reasons(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    plan = _optimize(db, dispatcher)
    assert (plan.status, plan.solver, plan.trigger) == (PlanStatus.DRAFT, "cp-sat", "optimize")
    assert plan.objective is not None
    assert plan.bound is not None
    entries = dispatch_service.entries(db, plan.id)
    assert {e.job_id for e in entries} == {job.id for job in shop.jobs[:3]}  # no repair
    metal = next(e for e in entries if e.job_id == shop.jobs[2].id)
    assert metal.crew_id == shop.metal.id  # the only crew with the skill
    assert len(metal.work_days) == 2  # 20 squares at 10 a day
    assert all(e.reason for e in entries)
    inputs = load_schedule_inputs(
        db, MONDAY, 14, weather=NoWeather(), weights=schedule_weights(), published=None
    )
    assert violations(inputs.problem, inputs.assignments_of(entries)) == []


def test_a_job_no_crew_can_do_is_unscheduled_with_the_reason(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    tile = make_job(db, stage=JobStage.CONTRACT_SIGNED, material=Material.TILE)
    plan = _optimize(db, dispatcher)
    entry = next(e for e in dispatch_service.entries(db, plan.id) if e.job_id == tile.id)
    assert entry.crew_id is None
    assert entry.reason == "No crew has the skill tile."
    board = dispatch_service.board(db, MONDAY, 14)
    assert [(q.job_number, q.reason) for q in board.queue] == [(tile.number, entry.reason)]


def test_materials_date_holds_the_job_back(db: Session, shop: Shop, dispatcher: Principal) -> None:
    job = shop.jobs[0]
    ready = MONDAY + timedelta(days=7)
    make_requirements(db, job, materials_ready_on=ready)
    plan = _optimize(db, dispatcher)
    days = _placed(db, plan)[(job.id, Phase.INSTALL)]
    assert days[0] >= ready
    entry = next(e for e in dispatch_service.entries(db, plan.id) if e.job_id == job.id)
    assert "materials ready on Mon 11 Jan" in entry.reason


def test_a_move_to_a_crew_without_the_skill_is_refused_and_nothing_changes(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    plan = _optimize(db, dispatcher)
    before = _placed(db, plan)
    metal_job = shop.jobs[2]
    outcome = dispatch_service.move(
        db, dispatcher, metal_job.id, Phase.INSTALL, shop.shingle.id, MONDAY
    )
    assert outcome.refused
    assert f"{shop.shingle.name} has no 'metal' skill." in outcome.reasons
    assert _placed(db, plan) == before


def test_a_refused_move_on_the_published_plan_leaves_no_draft_behind(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    dispatch_service.publish(db, dispatcher, _optimize(db, dispatcher).id)
    outcome = dispatch_service.move(
        db, dispatcher, shop.jobs[2].id, Phase.INSTALL, shop.shingle.id, MONDAY
    )
    assert outcome.refused
    assert dispatch_service.draft(db) is None


def test_a_move_to_a_weekend_is_refused_with_the_day(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    _optimize(db, dispatcher)
    saturday = MONDAY + timedelta(days=5)
    outcome = dispatch_service.move(
        db, dispatcher, shop.jobs[0].id, Phase.INSTALL, shop.shingle.id, saturday
    )
    assert outcome.reasons == ("Sat 9 Jan is not a working day (weekend or company holiday).",)


def test_an_allowed_move_changes_the_draft(db: Session, shop: Shop, dispatcher: Principal) -> None:
    plan = _optimize(db, dispatcher)
    job = shop.jobs[1]  # 18 squares: 2 days for the metal crew at 10 a day
    target = MONDAY + timedelta(days=8)  # a Tuesday far from everything else
    outcome = dispatch_service.move(db, dispatcher, job.id, Phase.INSTALL, shop.metal.id, target)
    assert not outcome.refused, outcome.reasons
    assert outcome.plan_id == plan.id
    assert _placed(db, plan)[(job.id, Phase.INSTALL)] == [target, target + timedelta(days=1)]


def test_locks_are_kept_by_the_optimizer(db: Session, shop: Shop, dispatcher: Principal) -> None:
    job = shop.jobs[0]
    wednesday = MONDAY + timedelta(days=2)
    dispatch_service.set_lock(db, dispatcher, job.id, shop.metal.id, wednesday)
    plan = _optimize(db, dispatcher)
    entry = next(e for e in dispatch_service.entries(db, plan.id) if e.job_id == job.id)
    assert (entry.crew_id, entry.starts_on, entry.locked) == (shop.metal.id, wednesday, True)
    assert entry.reason.startswith("Locked by the dispatcher")
    cleared = dispatch_service.clear_lock(db, dispatcher, job.id)
    assert (cleared.locked_crew_id, cleared.locked_start_on) == (None, None)


def test_publish_supersedes_assigns_crews_and_calls_the_hooks(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    called: list[uuid.UUID] = []
    dispatch_service.connect_publish_hook(lambda _db, plan_id: called.append(plan_id))
    try:
        first = _optimize(db, dispatcher)
        dispatch_service.publish(db, dispatcher, first.id)
        second = _optimize(db, dispatcher)
        dispatch_service.publish(db, dispatcher, second.id)
    finally:
        dispatch_service.publish_hooks.clear()
    assert (first.status, second.status) == (PlanStatus.SUPERSEDED, PlanStatus.PUBLISHED)
    assert called == [first.id, second.id]
    metal_job: Job = shop.jobs[2]
    db.refresh(metal_job)
    assert metal_job.crew_id == shop.metal.id
    with pytest.raises(Conflict):
        dispatch_service.publish(db, dispatcher, second.id)


def test_optimize_replaces_the_draft(db: Session, shop: Shop, dispatcher: Principal) -> None:
    first = _optimize(db, dispatcher)
    second = _optimize(db, dispatcher)
    assert (first.status, second.status) == (PlanStatus.DISCARDED, PlanStatus.DRAFT)


def test_crew_out_replan_moves_its_work_and_says_why(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    published = _optimize(db, dispatcher)
    dispatch_service.publish(db, dispatcher, published.id)
    shingle_work = [
        e for e in dispatch_service.entries(db, published.id) if e.crew_id == shop.shingle.id
    ]
    assert shingle_work, "the shingle crew has work to lose"
    out = shingle_work[0]
    event = dispatch_service.record_event(
        db,
        dispatcher,
        EventIn(
            kind=DispatchEventKind.CREW_OUT,
            crew_id=shop.shingle.id,
            starts_on=out.starts_on,
            days=2,
            note="truck in the shop",
        ),
    )
    assert event.ends_on == (out.starts_on or MONDAY) + timedelta(days=1)
    draft = dispatch_service.replan(db, dispatcher, event.id, time_limit=SOLVE_SECONDS)
    assert (draft.trigger, draft.based_on_id, event.plan_id) == (
        "replan: crew out",
        published.id,
        draft.id,
    )
    diff = dispatch_service.diff(db, draft.id)
    moved = {c.job_id: c for c in diff.changes if c.kind == ChangeKind.MOVED}
    assert out.job_id in moved
    assert shop.shingle.name in moved[out.job_id].why
    assert "not available" in moved[out.job_id].why
    board = dispatch_service.board(db, MONDAY, 14)
    assert board.draft is not None
    assert board.diff is not None
    assert any(t.crew_id == shop.shingle.id for t in board.time_off)


def test_replan_needs_a_published_plan(db: Session, shop: Shop, dispatcher: Principal) -> None:
    event = dispatch_service.record_event(
        db, dispatcher, EventIn(kind=DispatchEventKind.WEATHER, starts_on=MONDAY)
    )
    with pytest.raises(Conflict, match="nothing is published"):
        dispatch_service.replan(db, dispatcher, event.id)


def test_late_materials_move_the_requirement(
    db: Session, shop: Shop, dispatcher: Principal
) -> None:
    job = shop.jobs[0]
    later = MONDAY + timedelta(days=10)
    dispatch_service.record_event(
        db,
        dispatcher,
        EventIn(kind=DispatchEventKind.LATE_MATERIALS, job_id=job.id, starts_on=later),
    )
    assert dispatch_service.requirements(db, job.id).materials_ready_on == later
