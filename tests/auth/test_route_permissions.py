"""Every route of the app, API and pages, against every role, generated from the permission table.

A route either is listed in PUBLIC_ROUTES or declares its permission with ``requires(...)``; a
new route that does neither fails here. Then each declared route is called as nobody (401, or
the sign-in redirect for a page), as each role outside its permission (403 naming the
permission) and as each role inside it (neither 401 nor 403, and no server error).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount

from roofops.auth.dependencies import requires
from roofops.auth.permissions import PUBLIC_MOUNTS, PUBLIC_ROUTES, Permission
from roofops.auth.service import auth_service
from roofops.models.enums import Role
from roofops.portal.dependencies import current_visitor
from tests.factories import make_user

PATH_PARAM = re.compile(r"\{[^}]+\}")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Routes whose answer never ends: their refusals are checked here, their service elsewhere.
NOT_CALLED_INSIDE = {"GET /api/v1/events": "an endless stream: tests/events reads it"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    permissions: frozenset[Permission]
    portal: bool = False  # signed in as a customer (roofops.portal), not by the office's table

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def roles(self) -> frozenset[Role]:
        """Every declared permission must hold (a router's and its route's)."""
        allowed = frozenset(Role)
        for permission in self.permissions:
            allowed &= permission.roles
        return allowed

    def url(self) -> str:
        return PATH_PARAM.sub(lambda _: str(uuid.uuid4()), self.path)


def _declared(dependant: Dependant) -> Iterator[Permission]:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, requires):
            yield dependency.call.permission
        yield from _declared(dependency)


def _portal_guarded(dependant: Dependant) -> bool:
    return any(
        dependency.call is current_visitor or _portal_guarded(dependency)
        for dependency in dependant.dependencies
    )


def app_routes(app: FastAPI) -> list[Route]:
    routes: list[Route] = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount) or not context.path:
            continue
        permissions = frozenset(_declared(context.dependant))
        portal = _portal_guarded(context.dependant)
        for method in sorted((context.methods or set()) - IGNORED_METHODS):
            routes.append(Route(method, context.path, permissions, portal))
    return routes


def app_mounts(app: FastAPI) -> list[str]:
    return [route.path for route in app.routes if isinstance(route, Mount)]


def undeclared(routes: list[Route]) -> list[str]:
    return [
        r.key for r in routes if not r.permissions and not r.portal and r.key not in PUBLIC_ROUTES
    ]


def test_every_route_is_public_or_declares_a_permission(app: FastAPI) -> None:
    routes = app_routes(app)
    public_yet_declared = [r.key for r in routes if r.permissions and r.key in PUBLIC_ROUTES]

    assert undeclared(routes) == []
    assert public_yet_declared == []
    assert len(routes) > 90  # the walk found the API and the pages, not an empty shell


def test_the_public_list_names_only_routes_that_exist(app: FastAPI) -> None:
    keys = {route.key for route in app_routes(app)}
    assert set(PUBLIC_ROUTES) <= keys
    mounts = app_mounts(app)
    assert all(any(m.startswith(prefix) for prefix in PUBLIC_MOUNTS) for m in mounts)


def test_a_new_route_without_a_permission_is_caught(app: FastAPI) -> None:
    @app.get("/jobs-report-nobody-guarded")
    def unguarded() -> dict[str, str]:
        return {}

    assert undeclared(app_routes(app)) == ["GET /jobs-report-nobody-guarded"]


@pytest.fixture
def tokens(db: Session) -> dict[Role, str]:
    """One API token per role (pages take them too, without a CSRF token)."""
    tokens = {}
    for role in Role:
        user = make_user(db, role=role)
        tokens[role] = auth_service.create_api_token(db, user_id=user.id, name="roles").raw_token
    db.commit()
    return tokens


def _call(client: TestClient, route: Route, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {} if route.method in {"POST", "PUT", "PATCH"} else None
    response = client.request(
        route.method, route.url(), headers=headers, json=body, follow_redirects=False
    )
    return response.status_code


def _signed_out_answer(route: Route, status: int) -> bool:
    page = not route.path.startswith("/api/")
    return status == 401 or (page and route.method == "GET" and status == 303)


def test_every_role_against_every_route(
    app: FastAPI, client: TestClient, tokens: dict[Role, str]
) -> None:
    wrong: list[str] = []
    for route in app_routes(app):
        if not route.permissions:
            continue
        status = _call(client, route, None)
        if not _signed_out_answer(route, status):
            wrong.append(f"{route.key} signed out -> {status}")
        for role, token in tokens.items():
            inside = role in route.roles
            if inside and route.key in NOT_CALLED_INSIDE:
                continue
            status = _call(client, route, token)
            if (status == 403) == inside or status == 401 or status >= 500:
                wrong.append(f"{route.key} as {role.value} -> {status}")
    assert wrong == []


def test_a_refusal_names_the_permission_and_who_has_it(
    client: TestClient, tokens: dict[Role, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens[Role.CREW_LEAD]}"}
    response = client.post("/api/v1/integrations/quickbooks/sync", headers=headers, json={})

    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "'run_sync' permission" in message
    assert "admin, finance, office" in message
    assert "crew_lead" in message


def test_whoever_runs_a_sync_through_the_api_finds_its_button() -> None:
    """The issue's example: office could sync QuickBooks through the API but not on a page.
    The buttons sit on the Profit page and the integrations page: both must open."""
    assert Permission.RUN_SYNC.roles <= Permission.VIEW_MONEY.roles
    assert Permission.RUN_SYNC.roles <= Permission.VIEW_INTEGRATIONS.roles


def test_whoever_edits_jobs_sees_the_money_it_edits() -> None:
    assert Permission.EDIT_JOBS.roles <= Permission.VIEW_MONEY.roles
    assert Permission.EDIT_FIGURES.roles <= Permission.VIEW_MONEY.roles
    assert Permission.EDIT_PRICE_LIST.roles <= Permission.VIEW_MONEY.roles
