"""A fake Xero per test behind one uvicorn server, and clients of it that record their sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from roofops.integrations.xero.client import XeroClient
from roofops.kit.http import RateLimiter
from tests.fakes import SwappableApp
from tests.sandbox.xero.harness import XeroHarness, fresh_xero, session_server


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[SwappableApp, str]]:
    with session_server() as served:
        yield served


@pytest.fixture
def xero(server: tuple[SwappableApp, str]) -> XeroHarness:
    return fresh_xero(server)


def client_of(xero: XeroHarness, token: str | None = None, **options: Any) -> XeroClient:
    """A client of the roofing organisation with a fixed token (the token tests use the store)."""
    fixed = token or xero.token()
    options.setdefault("limiter", RateLimiter(1000.0, 1000, sleep=xero.sleep))
    return XeroClient(
        xero.roofing.tenant_id, lambda: fixed, base_url=xero.url, sleep=xero.sleep, **options
    )
