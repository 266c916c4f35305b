"""Dispatch background work: the optimizer and the re-plan, with live progress.

The inputs are read in one transaction, the solver searches with none open (a writing
transaction held through a 30-second search would lock every other SQLite writer out), and the
draft is saved in a short one. Progress events go out in short transactions of their own; the last
one ("done", with the plan id) is sent in the draft's own transaction, so the board never reloads
before the draft is there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM, Principal
from roofops.auth.service import principal_for, user_service
from roofops.db import unit_of_work
from roofops.dispatch.planning import propose
from roofops.dispatch.service import (
    LOADING_LINE,
    OPTIMIZE_TASK,
    REPLAN_TASK,
    PlanRequest,
    dispatch_service,
    summary_line,
)
from roofops.logging import get_logger
from roofops.models.enums import ActorType
from roofops.worker.registry import task

log = get_logger(__name__)


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

    def prepare(db: Session) -> PlanRequest:
        return dispatch_service.prepare_optimize(db, first, days, time_limit=time_limit)

    run(sessions, run_id, user_id, prepare)


@task(REPLAN_TASK, sessions=True)
def replan(
    sessions: sessionmaker[Session],
    *,
    run_id: str,
    event_id: str,
    user_id: str | None = None,
    time_limit: float | None = None,
) -> None:
    def prepare(db: Session) -> PlanRequest:
        return dispatch_service.prepare_replan(db, uuid.UUID(event_id), time_limit=time_limit)

    run(sessions, run_id, user_id, prepare)


def run(
    sessions: sessionmaker[Session],
    run_id: str,
    user_id: str | None,
    prepare: Callable[[Session], PlanRequest],
) -> None:
    """One run: read, search with no transaction open, then save; a failure is announced."""

    def progress(phase: str, percent: int, message: str) -> None:
        with unit_of_work(sessions) as db:
            dispatch_service.announce(db, run_id, phase=phase, percent=percent, message=message)

    try:
        progress("loading", 5, LOADING_LINE)
        with unit_of_work(sessions, read_only=True) as db:
            request = prepare(db)
        progress("solving", 20, request.solving_line)
        proposal = propose(request.inputs.problem, request.search)
        progress("saving", 90, summary_line(proposal))
        with unit_of_work(sessions) as db:
            plan = dispatch_service.save_proposal(db, _principal(db, user_id), request, proposal)
            message = f"Draft ready: {plan.note or plan.solver}"
            dispatch_service.announce(
                db, run_id, phase="done", percent=100, message=message, plan_id=plan.id
            )
    except Exception as error:
        log.exception("dispatch.run.failed", run_id=run_id)
        message = getattr(error, "message", "the planner failed: see the logs")
        progress("failed", 100, message)
        raise


def _principal(db: Session, user_id: str | None) -> Principal:
    """Who asked for the run (the plan and the audit log name them), else the system."""
    if user_id is None:
        return SYSTEM
    return principal_for(user_service.get(db, uuid.UUID(user_id)), actor_type=ActorType.USER)
