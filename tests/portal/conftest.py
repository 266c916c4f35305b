"""Fixtures of the portal's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp import SmtpServer, running_smtp_server, send_settings_to


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """Settings pointed at a real local SMTP server."""
    with running_smtp_server() as server:
        send_settings_to(server, monkeypatch, "Summit Roofing <office@summit.example>")
        yield server
