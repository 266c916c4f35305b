"""The Dispatch board: crews by day, the unscheduled queue, moves (drag and drop or the Move…
dialog), locks, crews marked out, Optimize and Re-plan with live progress, the draft's
difference, Publish and Discard, and a map of a day's routes.

Reading needs view_crews; every change needs plan_dispatch and goes through the dispatch
service, which checks it (a refused move comes back as sentences, nothing written)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.crew.service import branch_service
from roofops.db import DB, attempt
from roofops.dispatch.day_routes import day_routes
from roofops.dispatch.schemas import EventIn
from roofops.dispatch.service import dispatch_service
from roofops.exceptions import RoofOpsError
from roofops.kit.time import utcnow
from roofops.models.dispatch import DispatchEventKind
from roofops.web.context import PageContext
from roofops.web.dependencies import Page
from roofops.web.dispatch_forms import (
    BoardQuery,
    CrewOutForm,
    PlacementForm,
    RoutesForm,
    WindowFields,
    form_date,
    form_uuid,
)
from roofops.web.dispatch_query import pending_events, routes_of_day
from roofops.web.dispatch_view import board_view, change_rows
from roofops.web.forms import readable
from roofops.web.rendering import is_fragment_request, render
from roofops.web.route_map import HEIGHT, WIDTH, draw

PAGE_URL = "/dispatch"
router = APIRouter(prefix=PAGE_URL, dependencies=[Depends(requires(Permission.VIEW_CREWS))])
PLANNERS = [Depends(requires(Permission.PLAN_DISPATCH))]
DEFAULT_DAYS = 14
MAX_DAYS = 42
# The htmx event on <body> after which the board refetches: a run ended, a plan was published
# or discarded.
PLANNED = "dispatch-planned"


@dataclass(frozen=True)
class Window:
    """What the board shows: ``days`` days from ``start``, one branch's crews or all."""

    start: date
    days: int
    branch_id: uuid.UUID | None = None

    def query(self, start: date | None = None) -> str:
        """The query string of this window, or of the same length from another start."""
        params = {"start": start or self.start, "days": self.days, "branch": self.branch_id or ""}
        return urlencode(params)

    @property
    def previous(self) -> str:
        return self.query(self.start - timedelta(days=self.days))

    @property
    def next(self) -> str:
        return self.query(self.start + timedelta(days=self.days))


def _today(page: PageContext) -> date:
    return utcnow().astimezone(ZoneInfo(page.time_zone)).date()


def _date_or(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def _window(
    page: PageContext, start: str | None, days: str | None, branch: str | None = None
) -> Window:
    """Lenient, as the list pages' query strings: a bad value falls back to the default."""
    today = _today(page)
    count = int(days) if days and days.isdigit() else DEFAULT_DAYS
    monday = today - timedelta(days=today.weekday())
    return Window(_date_or(start, monday), max(1, min(count, MAX_DAYS)), _uuid_or_none(branch))


def _uuid_or_none(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _board_context(db: Session, window: Window) -> dict[str, Any]:
    board = dispatch_service.board(db, window.start, window.days, window.branch_id)
    view = board_view(board)
    return {
        "board": view,
        "window": window,
        "plans": view.plans,
        "diff": change_rows(view.changes),
        "pending_events": pending_events(db),
        "branches": branch_service.list(db, active=True),
    }


def _page_context(db: Session, page: PageContext, window: Window) -> dict[str, Any]:
    return _board_context(db, window) | _map_context(db, _today(page))


def _map_context(db: Session, day: date) -> dict[str, Any]:
    day_map = routes_of_day(db, day)
    return {
        "routes": draw(day_map.routes),
        "unrouted": day_map.left_out,
        "routes_plan": day_map.plan,
        "route_day": day,
        "map_size": (WIDTH, HEIGHT),
    }


@router.get("")
def dispatch_page(
    request: Request, db: DB, page: Page, query: Annotated[BoardQuery, Query()]
) -> Response:
    window = _window(page, query.start, query.days, query.branch)
    return render(request, "dispatch/index.html", _page_context(db, page, window))


@router.get("/board")
def board_fragment(
    request: Request, db: DB, page: Page, query: Annotated[BoardQuery, Query()]
) -> Response:
    """The board with the plan bar and the difference (out of band), after a run ends."""
    window = _window(page, query.start, query.days, query.branch)
    if not is_fragment_request(request):
        return RedirectResponse(f"{PAGE_URL}?{window.query()}", 303)
    return render(request, "dispatch/_board_update.html", _board_context(db, window))


@router.get("/routes")
def routes_fragment(request: Request, db: DB, page: Page, day: str | None = None) -> Response:
    the_day = _date_or(day, _today(page))
    if not is_fragment_request(request):
        return RedirectResponse(f"{PAGE_URL}#routes", 303)
    return render(request, "dispatch/_map.html", _map_context(db, the_day))


def _map_after(request: Request, db: Session, day: date, action: Callable[[], object]) -> Response:
    """The map after a routes action, or the action's refusal above it."""
    try:
        with attempt(db):
            action()
    except RoofOpsError as exc:
        context = _map_context(db, day) | {"routes_error": exc.message}
        return render(request, "dispatch/_map.html", context, status_code=exc.status_code)
    if not is_fragment_request(request):
        return RedirectResponse(f"{PAGE_URL}#routes", 303)
    return render(request, "dispatch/_map.html", _map_context(db, day))


@router.post("/routes/plan", dependencies=PLANNERS)
def plan_routes(
    request: Request, db: DB, page: Page, form: Annotated[RoutesForm, Form()]
) -> Response:
    """Solve the day's routes now (a few seconds) into the day's draft routes."""
    day = form.the_day()
    return _map_after(request, db, day, lambda: day_routes.optimize(db, page.principal, day))


@router.post("/routes/{action}", dependencies=PLANNERS)
def decide_routes(
    request: Request,
    db: DB,
    page: Page,
    action: Literal["publish", "discard"],
    form: Annotated[RoutesForm, Form()],
) -> Response:
    decide = day_routes.publish if action == "publish" else day_routes.discard
    return _map_after(request, db, form.the_day(), lambda: decide(db, page.principal, form.plan()))


# ----- moves and locks (planners) ----------------------------------------------------------
def _refusal(request: Request, sentences: list[str], title: str = "Move refused") -> Response:
    """Shown in the board's alert region; the board itself is left as it was."""
    context = {"sentences": sentences, "title": title}
    headers = {"HX-Retarget": "#board-alert", "HX-Reswap": "innerHTML"}
    return render(request, "dispatch/_refusal.html", context, status_code=409, headers=headers)


def _board_after(request: Request, db: Session, page: PageContext, form: WindowFields) -> Response:
    """The re-rendered board after a change (a whole page without htmx)."""
    window = _window(page, form.window_start, form.window_days, form.window_branch)
    if not is_fragment_request(request):
        return RedirectResponse(f"{PAGE_URL}?{window.query()}", 303)
    return render(request, "dispatch/_board_update.html", _board_context(db, window))


class _Refused(Exception):
    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__(*reasons)
        self.reasons = reasons


@router.post("/move", dependencies=PLANNERS)
def move(request: Request, db: DB, page: Page, form: Annotated[PlacementForm, Form()]) -> Response:
    try:
        with attempt(db):
            outcome = dispatch_service.move(
                db, page.principal, form.job(), form.the_phase(), form.crew(), form.day()
            )
            if outcome.refused:
                # Undo what the service wrote on the way (a draft copied for the move).
                raise _Refused(outcome.reasons)
    except _Refused as refused:
        return _refusal(request, list(refused.reasons))
    except RoofOpsError as exc:
        return _refusal(request, [exc.message])
    return _board_after(request, db, page, form)


@router.post("/lock", dependencies=PLANNERS)
def lock(request: Request, db: DB, page: Page, form: Annotated[PlacementForm, Form()]) -> Response:
    """Lock a job where it is (crew and first day), or unlock it."""
    try:
        with attempt(db):
            if form.lock:
                dispatch_service.set_lock(db, page.principal, form.job(), form.crew(), form.day())
            else:
                dispatch_service.clear_lock(db, page.principal, form.job())
    except RoofOpsError as exc:
        return _refusal(request, [exc.message], title="Lock not changed")
    return _board_after(request, db, page, form)


# ----- events, optimize, re-plan, publish (planners) ----------------------------------------
def _events_fragment(request: Request, db: Session, **context: Any) -> Response:
    status = 422 if context.get("event_error") else 200
    context |= {"pending_events": pending_events(db)}
    return render(request, "dispatch/_events.html", context, status_code=status)


@router.post("/crew-out", dependencies=PLANNERS)
def crew_out(
    request: Request, db: DB, page: Page, form: Annotated[CrewOutForm, Form()]
) -> Response:
    """Record the crew out; the event then offers Re-plan (nothing moves until it is pressed)."""
    try:
        with attempt(db):
            event = EventIn(
                kind=DispatchEventKind.CREW_OUT,
                crew_id=form_uuid(form.crew_id, "crew_id"),
                starts_on=form_date(form.starts_on, "starts_on"),
                days=form.working_days(),
                note=form.note.strip(),
            )
            dispatch_service.record_event(db, page.principal, event)
    except ValidationError as exc:
        return _events_fragment(request, db, event_error=readable(exc).message)
    except RoofOpsError as exc:
        return _events_fragment(request, db, event_error=exc.message)
    if not is_fragment_request(request):
        return RedirectResponse(PAGE_URL, 303)
    notice = "Crew marked out. Press Re-plan to move its work: nothing moves until then."
    return _events_fragment(request, db, event_notice=notice)


def _started(request: Request, db: Session, start: Callable[[], object], message: str) -> Response:
    """A planning run was queued in this request's transaction: it runs once this commits."""
    try:
        with attempt(db):
            start()
    except RoofOpsError as exc:
        context = {"message": exc.message, "kind": "error"}
        return render(request, "dispatch/_notice.html", context, status_code=exc.status_code)
    if not is_fragment_request(request):
        return RedirectResponse(PAGE_URL, 303)
    return render(request, "dispatch/_notice.html", {"message": message, "kind": "info"})


@router.post("/optimize", dependencies=PLANNERS)
def optimize(
    request: Request,
    db: DB,
    page: Page,
    start: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    window = _window(page, start, days)
    return _started(
        request,
        db,
        lambda: dispatch_service.start_optimize(db, page.principal, window.start, window.days),
        "Optimizing: progress shows below, then the draft and what it changes.",
    )


@router.post("/replan", dependencies=PLANNERS)
def replan(request: Request, db: DB, page: Page, event_id: Annotated[str, Form()] = "") -> Response:
    return _started(
        request,
        db,
        lambda: dispatch_service.start_replan(db, page.principal, form_uuid(event_id, "event_id")),
        "Re-planning: progress shows below, then the draft and what it changes.",
    )


def _plan_action(request: Request, db: Session, action: Callable[[], object]) -> Response:
    try:
        with attempt(db):
            action()
    except RoofOpsError as exc:
        return _refusal(request, [exc.message], title="Not done")
    if not is_fragment_request(request):
        return RedirectResponse(PAGE_URL, 303)
    return Response(status_code=204, headers={"HX-Trigger": PLANNED})


@router.post("/publish", dependencies=PLANNERS)
def publish(request: Request, db: DB, page: Page, plan_id: Annotated[str, Form()] = "") -> Response:
    return _plan_action(
        request,
        db,
        lambda: dispatch_service.publish(db, page.principal, form_uuid(plan_id, "plan_id")),
    )


@router.post("/discard", dependencies=PLANNERS)
def discard(request: Request, db: DB, page: Page, plan_id: Annotated[str, Form()] = "") -> Response:
    return _plan_action(
        request,
        db,
        lambda: dispatch_service.discard(db, page.principal, form_uuid(plan_id, "plan_id")),
    )
