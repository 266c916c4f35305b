"""Signing in from a browser (Playwright), as the browser tests begin."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.conftest import PASSWORD


def sign_in(
    page: Page, url: str, email: str, password: str = PASSWORD, *, back: bool = True
) -> None:
    """Open ``url`` signed out and sign in on the login page it sends to; ``back``: wait until
    the page is back at ``url``."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    submit_login(page, email, password)
    if back:
        expect(page).to_have_url(url)


def submit_login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the login form the page shows."""
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
