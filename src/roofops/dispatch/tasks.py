"""Dispatch background work: the optimizer and the re-plan, with live progress.

Progress events go out in short transactions of their own, so the board sees them while the
solver runs; the last one ("done", with the plan id) is sent in the plan's own transaction, so
the board never reloads before the draft is there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM, Principal
from roofops.auth.service import principal_for, user_service
from roofops.db import unit_of_work
from roofops.dispatch.service import (
    OPTIMIZE_TASK,
    REPLAN_TASK,
    Progress,
    dispatch_service,
)
from roofops.logging import get_logger
from roofops.models.dispatch import DispatchPlan
from roofops.models.enums import ActorType
from roofops.worker.registry import task

log = get_logger(__name__)

Planner = Callable[[Session, Principal, Progress], DispatchPlan]


@task(OPTIMIZE_TASK, sessions=True)
def optimize(
    sessions: sessionmaker[Session],
    *,
    run_id: str,
    start: str | None = None,
    days: int | None = None,
    time_limit: float | None = None,
    user_id: str | None = None,
) -> None:
    first = date.fromisoformat(start) if start else None

    def plan(db: Session, principal: Principal, progress: Progress) -> DispatchPlan:
        return dispatch_service.optimize(
            db, principal, first, days, time_limit=time_limit, progress=progress
        )

    run(sessions, run_id, user_id, plan)


@task(REPLAN_TASK, sessions=True)
def replan(
    sessions: sessionmaker[Session],
    *,
    run_id: str,
    event_id: str,
    user_id: str | None = None,
    time_limit: float | None = None,
) -> None:
    def plan(db: Session, principal: Principal, progress: Progress) -> DispatchPlan:
        return dispatch_service.replan(
            db, principal, uuid.UUID(event_id), time_limit=time_limit, progress=progress
        )

    run(sessions, run_id, user_id, plan)


def run(
    sessions: sessionmaker[Session], run_id: str, user_id: str | None, planner: Planner
) -> None:
    """One run: the plan in one transaction, progress in their own; a failure is announced."""

    def progress(phase: str, percent: int, message: str) -> None:
        if phase != "done":
            with unit_of_work(sessions) as db:
                dispatch_service.announce(db, run_id, phase=phase, percent=percent, message=message)

    try:
        with unit_of_work(sessions) as db:
            plan = planner(db, _principal(db, user_id), progress)
            message = f"Draft ready: {plan.note or plan.solver}"
            dispatch_service.announce(
                db, run_id, phase="done", percent=100, message=message, plan_id=plan.id
            )
    except Exception as error:
        log.exception("dispatch.run.failed", run_id=run_id)
        with unit_of_work(sessions) as db:
            message = getattr(error, "message", "the planner failed: see the logs")
            dispatch_service.announce(db, run_id, phase="failed", percent=100, message=message)
        raise


def _principal(db: Session, user_id: str | None) -> Principal:
    """Who asked for the run (the plan and the audit log name them), else the system."""
    if user_id is None:
        return SYSTEM
    return principal_for(user_service.get(db, uuid.UUID(user_id)), actor_type=ActorType.USER)
