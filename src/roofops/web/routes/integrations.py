"""Settings > Integrations: the JobNimbus connection, syncing it, its runs, its status map and
branch map; the QuickBooks and Xero connections (OAuth connect and disconnect; Xero's
organisation choice)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.config import Settings
from roofops.db import DB, attempt
from roofops.dependencies import AppSettings
from roofops.exceptions import RoofOpsError, ValidationFailed
from roofops.integrations.core.accounting import books_connected_elsewhere
from roofops.integrations.core.runner import request_sync
from roofops.integrations.core.runs import recent_runs, run_with_errors
from roofops.integrations.jobnimbus.schemas_api import StatusMappingIn
from roofops.integrations.jobnimbus.service import jobnimbus_service, jobnimbus_sync
from roofops.integrations.quickbooks.connection import (
    NO_OAUTH_APP,
    QuickBooksView,
    quickbooks_connection,
    redirect_uri,
)
from roofops.integrations.xero.connection import NO_OAUTH_APP as XERO_NO_OAUTH_APP
from roofops.integrations.xero.connection import redirect_uri as xero_redirect_uri
from roofops.integrations.xero.connection import xero_connection
from roofops.kit.time import as_utc, utcnow
from roofops.models.enums import JobStage, Provider, SyncRunStatus
from roofops.web.dependencies import Page
from roofops.web.forms import StatusMapForm, readable
from roofops.web.map_forms import BranchChoicesForm, StatusChoicesForm
from roofops.web.rendering import is_fragment_request, render

PAGE_URL = "/settings/integrations"
# Every route here shows connection details: the whole router is closed to other roles.
router = APIRouter(prefix=PAGE_URL, dependencies=[Depends(requires(Permission.VIEW_INTEGRATIONS))])
SYNCERS = [Depends(requires(Permission.RUN_SYNC))]
ADMINS = [Depends(requires(Permission.MANAGE_INTEGRATIONS))]
MAX_KEY_LENGTH = 200  # as the API's ApiKeyIn: longer is a paste accident, not a key
NOTICES = {
    "connected": "JobNimbus accepted the key. roofops stored it encrypted.",
    "forgotten": "The JobNimbus key is forgotten. Syncs stop until a key is entered again.",
    "sync": "JobNimbus sync queued. Progress shows below.",
    "resync": "JobNimbus full resync queued. Progress shows below.",
    "mapped": "Status map saved. It applies from the next sync.",
    "unmapped": "Status removed from the map. It applies from the next sync.",
    "statuses-resync": "Status map saved. A full resync is queued: it re-maps every job and its "
    "history. Progress shows under Syncs.",
    "statuses-saved": "Status map saved. No resync was queued: a sync is running or JobNimbus "
    "is not connected. Press Full resync once it can run.",
    "branches-resync": "Branch map saved. A full resync is queued: it gives every job its "
    "branch. Progress shows under Syncs.",
    "branches-saved": "Branch map saved. No resync was queued: a sync is running or JobNimbus "
    "is not connected. Press Full resync once it can run.",
    # Where the OAuth callback (integrations/quickbooks/endpoints.py) lands.
    "quickbooks-connected": "QuickBooks is connected. Profit figures come from its books from "
    "the next sync.",
    "quickbooks-disconnected": "QuickBooks is disconnected: roofops forgot its tokens and asked "
    "Intuit to revoke them. Syncs from QuickBooks stop until it is connected again.",
    # Where Xero's OAuth callback (integrations/xero/endpoints.py) lands.
    "xero-connected": "Xero is connected. Profit figures come from its books from the next sync.",
    "xero-organisation": "Xero organisation chosen. Profit figures come from its books from "
    "the next sync.",
    "xero-disconnected": "Xero is disconnected: roofops forgot its tokens and asked Xero to "
    "revoke them. Syncs from Xero stop until it is connected again.",
}
XERO_ORIGINS = {"ui": "Connected here", "demo": "Demo sandbox", "": "—"}
ORIGINS = {
    "ui": "Entered here",
    "env": "Server environment (ROOFOPS_JOBNIMBUS_API_KEY)",
    "demo": "Demo sandbox",
    "": "No key yet",
}
QUICKBOOKS_ORIGINS = {
    "ui": "Connected here",
    "env": "Server environment (QB_REFRESH_TOKEN)",
    "env-access-token": "Server environment (QB_ACCESS_TOKEN, never refreshed)",
    "demo": "Demo sandbox",
    "": "—",
}
# Sections that htmx re-renders on their own; the others answer with the whole page.
FRAGMENTS = {
    "status-map": "integrations/_status_map.html",
    "branch-map": "integrations/_branch_map.html",
}


@dataclass(frozen=True)
class Outcome:
    """What a form action shows in its section: a notice, or why it was refused."""

    section: str = ""
    notice: str = ""
    error: str = ""
    status_code: int = 200


def _sync_context(db: Session, settings: Settings) -> dict[str, Any]:
    """The connection and its runs: what a finished run changes."""
    runs = recent_runs(db, jobnimbus_sync.provider)
    return {
        "connection": jobnimbus_service.view(db, settings),
        "origins": ORIGINS,
        "runs": runs,
        "active": runs[0] if runs and runs[0].status == SyncRunStatus.RUNNING else None,
    }


def _context(db: Session, settings: Settings) -> dict[str, Any]:
    return _sync_context(db, settings) | _maps_context(db)


def _maps_context(db: Session) -> dict[str, Any]:
    """The status map (with the account's workflows) and the branch map."""
    return {
        "mappings": jobnimbus_service.status_mappings(db),
        "status_view": jobnimbus_service.status_map_view(db),
        "branch_view": jobnimbus_service.branch_map(db),
        "stages": list(JobStage),
    }


def _quickbooks_context(db: Session, settings: Settings) -> dict[str, Any]:
    """The QuickBooks card: the connection (never a token) and what a reader needs around it."""
    view = quickbooks_connection.view(db, settings)
    return {
        "quickbooks": view,
        "qb_origins": QUICKBOOKS_ORIGINS,
        "qb_lapsed": _lapsed(view),
        "qb_redirect_uri": redirect_uri(settings),
        "qb_no_app": NO_OAUTH_APP,
    }


def _xero_context(db: Session, settings: Settings) -> dict[str, Any]:
    """The Xero card: the connection (never a token), and the other books when they block it."""
    return {
        "xero": xero_connection.view(db, settings),
        "xero_origins": XERO_ORIGINS,
        "xero_redirect_uri": xero_redirect_uri(settings),
        "xero_no_app": XERO_NO_OAUTH_APP,
        "xero_other": books_connected_elsewhere(db, Provider.XERO),
    }


def _lapsed(view: QuickBooksView) -> dict[str, bool]:
    """Which token dates are past: an access token is renewed on its next use, a refresh token
    is not (an admin has to connect again)."""
    now = utcnow()
    dates = {"access": view.access_expires_at, "refresh": view.refresh_expires_at}
    return {name: date is not None and as_utc(date) <= now for name, date in dates.items()}


def _full_page(request: Request, db: Session, settings: Settings, outcome: Outcome) -> Response:
    notice = NOTICES.get(request.query_params.get("saved", ""))
    context = _context(db, settings) | _quickbooks_context(db, settings)
    context |= _xero_context(db, settings) | {"notice": notice, "outcome": outcome}
    return render(request, "integrations/index.html", context, status_code=outcome.status_code)


def _act(
    request: Request,
    db: Session,
    settings: Settings,
    section: str,
    action: Callable[[], str],
) -> Response:
    """Run a form's action; a refusal is shown next to its form, keeping the rest of the page."""
    try:
        with attempt(db):
            saved = action()
    except ValidationError as exc:
        outcome = Outcome(section, error=readable(exc).message, status_code=422)
    except RoofOpsError as exc:
        outcome = Outcome(section, error=exc.message, status_code=exc.status_code)
    else:
        outcome = Outcome(section, notice=NOTICES[saved])
    fragment = FRAGMENTS.get(section)
    if fragment and is_fragment_request(request):
        context = _context(db, settings) | {"outcome": outcome}
        return render(request, fragment, context, status_code=outcome.status_code)
    if outcome.error:
        return _full_page(request, db, settings, outcome)
    return RedirectResponse(f"{PAGE_URL}?saved={saved}#{section}", status_code=303)


@router.get("")
def integrations_page(request: Request, db: DB, settings: AppSettings, _page: Page) -> Response:
    return _full_page(request, db, settings, Outcome())


# ----- the connection (admins) ------------------------------------------------------------
@router.post("/jobnimbus/key", dependencies=ADMINS)
def save_key(
    request: Request,
    db: DB,
    settings: AppSettings,
    page: Page,
    api_key: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        if len(api_key) > MAX_KEY_LENGTH:
            raise ValidationFailed("that is longer than any JobNimbus API key", field="api_key")
        jobnimbus_service.connect(db, settings, page.principal, api_key)
        return "connected"

    return _act(request, db, settings, "key", action)


@router.post("/jobnimbus/forget", dependencies=ADMINS)
def forget_key(request: Request, db: DB, settings: AppSettings, page: Page) -> Response:
    def action() -> str:
        jobnimbus_service.disconnect(db, settings, page.principal)
        return "forgotten"

    return _act(request, db, settings, "key", action)


# ----- syncing ------------------------------------------------------------------------------
@router.post("/jobnimbus/sync", dependencies=SYNCERS)
def sync_now(
    request: Request,
    db: DB,
    settings: AppSettings,
    page: Page,
    full: Annotated[bool, Form()] = False,
) -> Response:
    """Queued in this request's transaction, as the API does: it runs only if this commits."""
    request_sync(db, settings, jobnimbus_sync, full=full, triggered_by=page.principal.label)
    saved = "resync" if full else "sync"
    if is_fragment_request(request):
        return render(request, "integrations/_sync_notice.html", {"notice": NOTICES[saved]})
    return RedirectResponse(f"{PAGE_URL}?saved={saved}#sync", status_code=303)


@router.get("/jobnimbus/runs")
def runs_fragment(request: Request, db: DB, settings: AppSettings, _page: Page) -> Response:
    """The run history (and, out of band, the connection facts a finished run changed)."""
    if not is_fragment_request(request):
        return RedirectResponse(f"{PAGE_URL}#sync", status_code=303)
    context = _sync_context(db, settings) | {"oob": True}
    return render(request, "integrations/_runs_update.html", context)


@router.get("/jobnimbus/runs/{run_id}")
def run_errors(request: Request, db: DB, _page: Page, run_id: uuid.UUID) -> Response:
    """Expands a run in the history table (htmx), or is a page of its own (links, no script)."""
    run, errors = run_with_errors(db, jobnimbus_sync.provider, run_id)
    fragment = is_fragment_request(request)
    name = "integrations/_run_errors.html" if fragment else "integrations/run.html"
    return render(request, name, {"run": run, "errors": errors})


# ----- the status map (admins) ------------------------------------------------------------
@router.post("/jobnimbus/status-map", dependencies=ADMINS)
def map_status(
    request: Request,
    db: DB,
    settings: AppSettings,
    page: Page,
    form: Annotated[StatusMapForm, Form()],
) -> Response:
    def action() -> str:
        data = _mapping(form.status_name, form.stage)
        jobnimbus_service.map_status(db, page.principal, data.status_name, data.stage)
        return "mapped"

    return _act(request, db, settings, "status-map", action)


@router.post("/jobnimbus/status-map/remove", dependencies=ADMINS)
def unmap_status(
    request: Request,
    db: DB,
    settings: AppSettings,
    page: Page,
    status_name: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        jobnimbus_service.map_status(db, page.principal, status_name, None)
        return "unmapped"

    return _act(request, db, settings, "status-map", action)


@router.post("/jobnimbus/status-map/save-and-resync", dependencies=ADMINS)
def save_statuses(
    request: Request,
    db: DB,
    settings: AppSettings,
    page: Page,
    form: Annotated[StatusChoicesForm, Form()],
) -> Response:
    """Every status of the workflows (and the unmapped ones) at once, then a full resync."""

    def action() -> str:
        choices = form.choices()
        resync = jobnimbus_service.save_statuses_and_resync(db, settings, page.principal, choices)
        return "statuses-resync" if resync.run else "statuses-saved"

    return _act(request, db, settings, "status-map", action)


def _mapping(status_name: str, stage: str) -> StatusMappingIn:
    """The API's own body model, so the page accepts exactly what the API accepts."""
    if not status_name.strip():
        raise ValidationFailed("enter the JobNimbus status name", field="status_name")
    try:
        target = JobStage(stage)
    except ValueError:
        raise ValidationFailed("choose the stage this status means", field="stage") from None
    return StatusMappingIn.model_validate({"status_name": status_name.strip(), "stage": target})


# ----- the branch map (admins) ------------------------------------------------------------
@router.post("/jobnimbus/branch-map/save-and-resync", dependencies=ADMINS)
def save_branches(
    request: Request,
    db: DB,
    settings: AppSettings,
    page: Page,
    form: Annotated[BranchChoicesForm, Form()],
) -> Response:
    def action() -> str:
        choices = form.choices()
        resync = jobnimbus_service.save_branches_and_resync(db, settings, page.principal, choices)
        return "branches-resync" if resync.run else "branches-saved"

    return _act(request, db, settings, "branch-map", action)


# ----- QuickBooks (admins) ------------------------------------------------------------------
@router.post("/quickbooks/connect", dependencies=ADMINS)
def connect_quickbooks(request: Request, db: DB, settings: AppSettings, page: Page) -> Response:
    """Send the admin to Intuit's consent screen; Intuit sends them back to the callback page.

    The page posts this with htmx and gets the consent URL in ``HX-Redirect``: the browser then
    navigates there itself. A plain form answered with a redirect to another origin is blocked
    by the ``form-action 'self'`` CSP in Chromium; without JavaScript the 303 is all there is.
    """
    try:
        with attempt(db):
            authorize_url = quickbooks_connection.start_connect(db, settings, page.principal)
    except RoofOpsError as exc:
        outcome = Outcome("quickbooks", error=exc.message, status_code=exc.status_code)
        if not is_fragment_request(request):
            return _full_page(request, db, settings, outcome)
        context = _quickbooks_context(db, settings) | {"outcome": outcome}
        return render(
            request, "integrations/_quickbooks.html", context, status_code=outcome.status_code
        )
    if is_fragment_request(request):
        return Response(status_code=204, headers={"HX-Redirect": authorize_url})
    return RedirectResponse(authorize_url, status_code=303)


@router.post("/quickbooks/disconnect", dependencies=ADMINS)
def disconnect_quickbooks(request: Request, db: DB, settings: AppSettings, page: Page) -> Response:
    def action() -> str:
        quickbooks_connection.disconnect(db, settings, page.principal)
        return "quickbooks-disconnected"

    return _act(request, db, settings, "quickbooks", action)


# ----- Xero (admins) ------------------------------------------------------------------------
@router.post("/xero/connect", dependencies=ADMINS)
def connect_xero(request: Request, db: DB, settings: AppSettings, page: Page) -> Response:
    """Send the admin to Xero's consent page (htmx: ``HX-Redirect``, as for QuickBooks)."""
    try:
        with attempt(db):
            authorize_url = xero_connection.start_connect(db, settings, page.principal)
    except RoofOpsError as exc:
        outcome = Outcome("xero", error=exc.message, status_code=exc.status_code)
        if not is_fragment_request(request):
            return _full_page(request, db, settings, outcome)
        context = _xero_context(db, settings) | {"outcome": outcome}
        return render(request, "integrations/_xero.html", context, status_code=exc.status_code)
    if is_fragment_request(request):
        return Response(status_code=204, headers={"HX-Redirect": authorize_url})
    return RedirectResponse(authorize_url, status_code=303)


@router.post("/xero/organisation", dependencies=ADMINS)
def choose_xero_organisation(
    request: Request,
    db: DB,
    settings: AppSettings,
    page: Page,
    tenant_id: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        xero_connection.choose_tenant(db, settings, page.principal, tenant_id)
        return "xero-organisation"

    return _act(request, db, settings, "xero", action)


@router.post("/xero/disconnect", dependencies=ADMINS)
def disconnect_xero(request: Request, db: DB, settings: AppSettings, page: Page) -> Response:
    def action() -> str:
        xero_connection.disconnect(db, settings, page.principal)
        return "xero-disconnected"

    return _act(request, db, settings, "xero", action)
