"""Page tests' helpers: a TestClient holding a real session cookie, and the Playwright set-up
every browser test shares (Debian's Chromium, a desktop viewport, console errors)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from playwright.sync_api import ConsoleMessage, Page
from sqlalchemy.orm import Session

from roofops.models import JobType, Material, Role, User
from roofops.web.forms import price_field
from tests.factories import make_user

PASSWORD = "correct horse battery staple"
# Headless Chromium from Debian, with nothing reaching out of this machine (see RECIPES.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"viewport": {"width": 1440, "height": 1000}, "locale": "en-US"}


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions; CSP violations are reported here too."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def login(client: TestClient, email: str, password: str, next_url: str = "") -> Response:
    token = csrf_from(client.get("/login").text)
    form = {"email": email, "password": password, "csrf_token": token, "next": next_url}
    response: Response = client.post("/login", data=form, follow_redirects=False)
    return response


@dataclass
class Browser:
    """A signed-in client plus the session's CSRF token for unsafe requests."""

    client: TestClient
    user: User
    csrf: str

    def post(
        self, url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        form = {"csrf_token": self.csrf, **(data or {})}
        response: Response = self.client.post(
            url, data=form, headers=headers, follow_redirects=False
        )
        return response


@pytest.fixture
def sign_in(client: TestClient, db: Session) -> Callable[[Role], Browser]:
    def as_role(role: Role) -> Browser:
        user = make_user(db, role=role, password=PASSWORD)
        db.commit()
        client.cookies.clear()
        assert login(client, user.email, PASSWORD).status_code == 303
        return Browser(client, user, csrf_from(client.get("/settings").text))

    return as_role


def price_grid(**cells: str) -> dict[str, str]:
    """The price-list form as the page posts it: every cell, empty unless given."""
    grid = {price_field(job_type, material): "" for job_type in JobType for material in Material}
    return {**grid, **cells}
