"""One uvicorn server for the session; each test gets a fresh fake Xero behind it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes import SwappableApp
from tests.sandbox.xero.harness import XeroHarness, fresh_xero, session_server


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[SwappableApp, str]]:
    with session_server() as served:
        yield served


@pytest.fixture
def xero(server: tuple[SwappableApp, str]) -> XeroHarness:
    return fresh_xero(server)
