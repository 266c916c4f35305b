"""Every JSON API route refuses callers without valid credentials, including routes added later."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

PATH_PARAM = re.compile(r"\{[^}]+\}")
WRITE_METHODS = {"POST", "PUT", "PATCH"}
# Xero's rule for a receiver: a bad signature is a 401 with no body at all.
BODYLESS_401 = {"/api/v1/webhooks/xero"}


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, concrete path) for every route under /api/, path parameters filled with UUIDs."""
    routes: list[tuple[str, str]] = []
    for context in iter_route_contexts(app.routes):
        path, methods = context.path, context.methods or set()
        if path and path.startswith("/api/"):
            concrete = PATH_PARAM.sub(lambda _: str(uuid.uuid4()), path)
            routes.extend((method, concrete) for method in sorted(methods - {"HEAD", "OPTIONS"}))
    return routes


def _failures(
    client: TestClient, routes: list[tuple[str, str]], headers: dict[str, str]
) -> list[str]:
    failures: list[str] = []
    for method, path in routes:
        body: dict[str, object] | None = {} if method in WRITE_METHODS else None
        response = client.request(method, path, headers=headers, json=body)
        is_json = response.headers.get("content-type", "").startswith("application/json")
        if path in BODYLESS_401 and (response.status_code, response.content) == (401, b""):
            continue
        if response.status_code != 401 or not is_json:
            failures.append(f"{method} {path} -> {response.status_code}")
        elif response.json()["error"]["code"] != "not_authenticated":
            failures.append(f"{method} {path} -> {response.json()}")
    return failures


def test_enumeration_finds_the_api(app: FastAPI) -> None:
    routes = api_routes(app)
    assert ("GET", "/api/v1/jobs") in routes
    assert any(method == "POST" and path.endswith("/stage") for method, path in routes)


def test_every_api_route_needs_credentials(app: FastAPI, client: TestClient) -> None:
    assert _failures(client, api_routes(app), {}) == []


def test_every_api_route_refuses_a_garbage_token(app: FastAPI, client: TestClient) -> None:
    headers = {"Authorization": "Bearer rfo_not-a-real-token"}
    assert _failures(client, api_routes(app), headers) == []
