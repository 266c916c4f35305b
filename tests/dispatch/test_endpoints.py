"""The dispatch API: the board, optimize runs, moves and their refusals, locks, requirements,
events, publishing, and who may do what."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import Principal
from roofops.dispatch import tasks
from roofops.dispatch.schemas import EventIn
from roofops.dispatch.service import OPTIMIZE_TASK, PROGRESS_TOPIC, dispatch_service
from roofops.exceptions import Conflict
from roofops.models import BackgroundJob, DispatchEventKind, OutboxEvent, PlanStatus, Role
from tests.dispatch.conftest import MONDAY, SOLVE_SECONDS, Shop
from tests.factories import ApiClient

BASE = "/api/v1/dispatch"


def _draft(db: Session, principal: Principal) -> str:
    plan = dispatch_service.optimize(db, principal, MONDAY, 14, time_limit=SOLVE_SECONDS)
    db.commit()
    return str(plan.id)


def test_the_board_shows_crews_days_and_the_queue(api: ApiClient, shop: Shop) -> None:
    board = api.as_role(Role.VIEWER).get(f"{BASE}/board", params={"start": str(MONDAY)})
    assert board.status_code == 200, board.text
    body = board.json()
    assert len(body["days"]) == 14
    assert len(body["working_days"]) == 10
    assert {c["name"] for c in body["crews"]} == {
        shop.shingle.name,
        shop.metal.name,
        shop.gutters.name,
    }
    assert body["published"] is None
    assert body["draft"] is None
    assert {q["job_number"] for q in body["queue"]} == {j.number for j in shop.jobs[:3]}
    assert all(q["reason"].startswith("Not planned yet") for q in body["queue"])


def test_optimize_is_queued_and_its_task_ends_in_a_draft_with_progress(
    api: ApiClient, db: Session, shop: Shop, session_maker: sessionmaker[Session], is_postgres: bool
) -> None:
    dispatcher = api.as_role(Role.DISPATCHER)
    started = dispatcher.post(f"{BASE}/optimize", json={"start": str(MONDAY), "days": 14})
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    if not is_postgres:  # the embedded queue is a table; procrastinate's is its own
        queued = db.scalars(
            sa.select(BackgroundJob).where(BackgroundJob.task_name == OPTIMIZE_TASK)
        )
        assert [job.args["run_id"] for job in queued] == [run_id]
    tasks.optimize(
        session_maker,
        run_id=run_id,
        start=str(MONDAY),
        days=14,
        time_limit=SOLVE_SECONDS,
        user_id=str(dispatcher.user.id if dispatcher.user else ""),
    )
    board = dispatcher.get(f"{BASE}/board", params={"start": str(MONDAY)}).json()
    assert board["draft"]["trigger"] == "optimize"
    assert board["queue"] == []
    if not is_postgres:
        phases = [p["phase"] for p in _progress(db, run_id)]
        assert phases == ["queued", "loading", "solving", "saving", "done"]
        assert _progress(db, run_id)[-1]["plan_id"] == board["draft"]["id"]


def _progress(db: Session, run_id: str) -> list[dict[str, object]]:
    messages = [json.loads(row.message) for row in db.scalars(sa.select(OutboxEvent))]
    return [
        m["payload"]
        for m in messages
        if m["topic"] == PROGRESS_TOPIC and m["payload"]["run_id"] == run_id
    ]


def test_a_refused_move_answers_200_with_the_reasons(
    api: ApiClient, db: Session, shop: Shop, dispatcher: Principal
) -> None:
    _draft(db, dispatcher)
    body = {
        "job_id": str(shop.jobs[2].id),
        "phase": "install",
        "crew_id": str(shop.gutters.id),
        "start_on": str(MONDAY),
    }
    moved = api.as_role(Role.DISPATCHER).post(f"{BASE}/moves", json=body)
    assert moved.status_code == 200, moved.text
    assert moved.json()["refused"] is True
    assert f"{shop.gutters.name} has no 'metal' skill." in moved.json()["reasons"]


def test_publish_then_diff_and_discard(
    api: ApiClient, db: Session, shop: Shop, dispatcher: Principal
) -> None:
    client = api.as_role(Role.DISPATCHER)
    plan_id = _draft(db, dispatcher)
    diff = client.get(f"{BASE}/plans/{plan_id}/diff").json()
    assert {c["kind"] for c in diff["changes"]} == {"added"}
    published = client.post(f"{BASE}/plans/{plan_id}/publish")
    assert published.json()["status"] == PlanStatus.PUBLISHED
    again = client.post(f"{BASE}/plans/{plan_id}/publish")
    assert again.status_code == 409
    second = _draft(db, dispatcher)
    assert client.post(f"{BASE}/plans/{second}/discard").json()["status"] == "discarded"
    detail = client.get(f"{BASE}/plans/{plan_id}").json()
    assert len(detail["entries"]) == 3
    assert [p["id"] for p in client.get(f"{BASE}/plans").json()] == [second, plan_id]


def test_requirements_and_locks(api: ApiClient, shop: Shop) -> None:
    client = api.as_role(Role.DISPATCHER)
    job_id = str(shop.jobs[0].id)
    fresh = client.get(f"{BASE}/jobs/{job_id}/requirements").json()
    assert (fresh["with_gutters"], fresh["visit_minutes"]) == (False, 60)
    patched = client.patch(
        f"{BASE}/jobs/{job_id}/requirements",
        json={"promised_by": str(MONDAY + timedelta(days=9)), "with_gutters": True},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["promised_by"] == str(MONDAY + timedelta(days=9))
    bad_window = client.patch(
        f"{BASE}/jobs/{job_id}/requirements",
        json={"window_start_minute": 600, "window_end_minute": 540},
    )
    assert bad_window.status_code == 422
    lock = {"crew_id": str(shop.metal.id), "start_on": str(MONDAY)}
    locked = client.put(f"{BASE}/jobs/{job_id}/lock", json=lock).json()
    assert locked["locked_crew_id"] == str(shop.metal.id)
    assert client.put(f"{BASE}/jobs/{job_id}/lock", json={}).status_code == 422
    cleared = client.delete(f"{BASE}/jobs/{job_id}/lock").json()
    assert cleared["locked_crew_id"] is None


def test_a_crew_out_event_becomes_time_off(api: ApiClient, shop: Shop) -> None:
    client = api.as_role(Role.DISPATCHER)
    event = client.post(
        f"{BASE}/events",
        json={
            "kind": "crew_out",
            "crew_id": str(shop.metal.id),
            "starts_on": str(MONDAY),
            "days": 2,
        },
    )
    assert event.status_code == 201, event.text
    assert event.json()["ends_on"] == str(MONDAY + timedelta(days=1))
    off = client.get(f"{BASE}/time-off", params={"start": str(MONDAY)}).json()
    assert [(t["crew_id"], t["kind"]) for t in off] == [(str(shop.metal.id), "crew_out")]
    missing = client.post(f"{BASE}/events", json={"kind": "overrun", "days": 1})
    assert missing.status_code == 422
    replan = client.post(f"{BASE}/replan", json={"event_id": event.json()["id"]})
    assert replan.status_code == 409  # nothing published yet


def test_an_event_naming_an_unknown_crew_or_job_is_refused_whatever_its_kind(
    api: ApiClient, shop: Shop
) -> None:
    client = api.as_role(Role.DISPATCHER)
    unknown = "e3e70682-c209-1cac-a29f-6fbed82c07cd"
    for field in ("crew_id", "job_id"):
        answer = client.post(f"{BASE}/events", json={"kind": "weather", field: unknown})
        assert answer.status_code == 422, answer.text
        assert "no " in answer.text
        assert field in answer.text
    assert client.get(f"{BASE}/events").json() == []


def test_viewers_read_but_cannot_change(api: ApiClient, shop: Shop) -> None:
    viewer = api.as_role(Role.VIEWER)
    assert viewer.get(f"{BASE}/events").status_code == 200
    assert viewer.post(f"{BASE}/optimize", json={}).status_code == 403
    holiday = {"on": str(MONDAY), "name": "Snow day"}
    assert viewer.post(f"{BASE}/holidays", json=holiday).status_code == 403
    assert api.as_role(Role.OFFICE).post(f"{BASE}/holidays", json=holiday).status_code == 403
    admin = api.as_role(Role.ADMIN)
    assert admin.post(f"{BASE}/holidays", json=holiday).status_code == 201
    assert admin.post(f"{BASE}/holidays", json=holiday).status_code == 409


def test_a_failed_run_is_announced_and_raised(
    db: Session,
    shop: Shop,
    dispatcher: Principal,
    session_maker: sessionmaker[Session],
    is_postgres: bool,
) -> None:
    event = dispatch_service.record_event(db, dispatcher, EventIn(kind=DispatchEventKind.WEATHER))
    db.commit()
    with pytest.raises(Conflict, match="nothing is published"):
        tasks.replan(session_maker, run_id="run-1", event_id=str(event.id))
    if not is_postgres:
        last = _progress(db, "run-1")[-1]
        assert (last["phase"], last["message"]) == (
            "failed",
            "nothing is published to re-plan: run Optimize and publish first",
        )
