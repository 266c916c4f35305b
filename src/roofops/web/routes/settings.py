"""Settings: company, price list, users, my API tokens, integrations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.schemas import TokenCreate, UserCreate
from roofops.auth.service import auth_service, user_service
from roofops.company.schemas import CompanyUpdate
from roofops.company.service import company_service
from roofops.db import DB, attempt
from roofops.dependencies import app_settings
from roofops.exceptions import NotFound, RoofOpsError, ValidationFailed
from roofops.integrations.jobnimbus.service import jobnimbus_service
from roofops.integrations.quickbooks.connection import quickbooks_connection
from roofops.integrations.xero.connection import xero_connection
from roofops.job.lifecycle import CLOSED
from roofops.models.enums import ConnectionStatus, JobStage, JobType, Material, Role
from roofops.web.context import PageContext
from roofops.web.dependencies import Page
from roofops.web.forms import CompanyForm, NewUserForm, price_entries, price_field, readable
from roofops.web.rendering import render

# The page itself is everyone's (their own API tokens); each section asks for more.
router = APIRouter(prefix="/settings", dependencies=[Depends(requires(Permission.USE_ACCOUNT))])
COMPANY_EDITORS = [Depends(requires(Permission.EDIT_COMPANY))]
PRICE_EDITORS = [Depends(requires(Permission.EDIT_PRICE_LIST))]
USER_ADMINS = [Depends(requires(Permission.MANAGE_USERS))]
SAVED = {
    "company": "Company settings saved.",
    "prices": "Price list saved.",
    "revoked": "API token revoked.",
}
INTEGRATIONS = (
    ("JobNimbus", "CRM: contacts, jobs and stage changes"),
    ("QuickBooks Online", "Accounting: invoices, payments and job costs"),
    ("Xero", "Accounting: invoices, payments and job costs"),
)


def _connections(db: Session, request: Request) -> dict[str, ConnectionStatus]:
    """Each integration's status, by the name the overview lists it under."""
    settings = app_settings(request)
    return {
        "JobNimbus": jobnimbus_service.view(db, settings).status,
        "QuickBooks Online": quickbooks_connection.view(db, settings).status,
        "Xero": xero_connection.view(db, settings).status,
    }


def _prices(db: Session) -> dict[tuple[JobType, Material], int]:
    return {
        (entry.job_type, entry.material): entry.price_per_square_cents
        for entry in company_service.price_list(db)
    }


@dataclass
class Outcome:
    """What a settings action shows: a notice, an error in its section, or a one-time secret."""

    section: str = ""
    error: str = ""
    status_code: int = 200
    reveal: dict[str, str] = field(default_factory=dict)


def _settings_page(request: Request, db: Session, page: PageContext, outcome: Outcome) -> Response:
    principal = page.principal
    context: dict[str, Any] = {
        "company": company_service.get(db),
        "prices": _prices(db) if page.can(Permission.VIEW_MONEY) else None,
        "job_types": list(JobType),
        "invite_stages": [stage for stage in JobStage if stage not in CLOSED],
        "materials": list(Material),
        "price_field": price_field,
        "users": user_service.list(db) if page.can(Permission.MANAGE_USERS) else [],
        "roles": list(Role),
        "tokens": auth_service.list_api_tokens(db, user_id=principal.user_id)
        if principal.user_id
        else [],
        "integrations": INTEGRATIONS,
        "connections": _connections(db, request) if page.can(Permission.VIEW_INTEGRATIONS) else {},
        "notice": SAVED.get(request.query_params.get("saved", "")),
        "outcome": outcome,
    }
    # A page holding a one-time secret must not be cached or restored from history.
    headers = {"Cache-Control": "no-store"}
    return render(
        request, "settings.html", context, status_code=outcome.status_code, headers=headers
    )


def _act(
    request: Request, db: Session, page: PageContext, section: str, action: Callable[[], Outcome]
) -> Response:
    """Run a form's action; a refusal is shown next to the form, keeping the rest of the page."""
    try:
        with attempt(db):
            outcome = action()
    except ValidationError as exc:
        outcome = Outcome(section, readable(exc).message, 422)
    except RoofOpsError as exc:
        outcome = Outcome(section, exc.message, exc.status_code)
    if not outcome.reveal and not outcome.error:
        return RedirectResponse(f"/settings?saved={outcome.section}#{section}", status_code=303)
    return _settings_page(request, db, page, outcome)


@router.get("")
def settings_page(request: Request, db: DB, page: Page) -> Response:
    return _settings_page(request, db, page, Outcome())


@router.post("/company", dependencies=COMPANY_EDITORS)
def update_company(
    request: Request, db: DB, page: Page, form: Annotated[CompanyForm, Form()]
) -> Response:
    def action() -> Outcome:
        data = CompanyUpdate.model_validate(form.as_update())
        company_service.update(db, page.principal, data)
        return Outcome("company")

    return _act(request, db, page, "company", action)


@router.post("/prices", dependencies=PRICE_EDITORS)
async def update_prices(request: Request, db: DB, page: Page) -> Response:
    form = await request.form()
    cells = {key: value for key, value in form.items() if isinstance(value, str)}

    def action() -> Outcome:
        entries = price_entries(_whole_price_grid(cells))
        company_service.replace_price_list(db, page.principal, entries)
        return Outcome("prices")

    return _act(request, db, page, "prices", action)


def _whole_price_grid(cells: dict[str, str]) -> dict[str, str]:
    """The form replaces the whole list, so it must carry every cell: an empty cell removes
    that price (the person cleared it), a missing one means the form was cut short or forged,
    and then nothing is changed."""
    expected = [price_field(job_type, material) for job_type in JobType for material in Material]
    missing = [name for name in expected if name not in cells]
    if missing:
        raise ValidationFailed(
            f"the price list form lacks {len(missing)} of its {len(expected)} cells, so nothing "
            "was saved; reload the page and save again"
        )
    return cells


@router.post("/users", dependencies=USER_ADMINS)
def create_user(
    request: Request, db: DB, page: Page, form: Annotated[NewUserForm, Form()]
) -> Response:
    def action() -> Outcome:
        data = UserCreate.model_validate(form.model_dump())
        user, password = user_service.add_user(db, page.principal, data)
        return Outcome("users", reveal={"label": user.email, "secret": password or ""})

    return _act(request, db, page, "users", action)


@router.post("/tokens")
def create_token(
    request: Request, db: DB, page: Page, name: Annotated[str, Form()] = ""
) -> Response:
    def action() -> Outcome:
        data = TokenCreate(name=name)
        user_id = _own_user_id(page)
        created = auth_service.create_api_token(db, user_id=user_id, name=data.name)
        return Outcome("tokens", reveal={"label": data.name, "secret": created.raw_token})

    return _act(request, db, page, "tokens", action)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, db: DB, page: Page, token_id: uuid.UUID) -> Response:
    def action() -> Outcome:
        auth_service.revoke_api_token(db, token_id=token_id, owner_id=_own_user_id(page))
        return Outcome("revoked")

    return _act(request, db, page, "tokens", action)


def _own_user_id(page: PageContext) -> uuid.UUID:
    if page.principal.user_id is None:
        raise NotFound("only people have API tokens")
    return page.principal.user_id
