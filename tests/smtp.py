"""A real SMTP server on a free local port (aiosmtpd), collecting what it is sent.

``refuse_with`` makes it answer DATA with an error reply instead (a full mailbox, a policy
refusal), as a real server does.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpServer:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse_with: str | None = None
        self.port = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def send_settings_to(server: SmtpServer, monkeypatch: Any, mail_from: str) -> None:
    """Point the cached settings at ``server`` for one test (plain SMTP: it is on this
    machine). ``monkeypatch`` is pytest's; it puts them back afterwards."""
    from roofops.config import get_settings

    settings = get_settings()
    for name, value in {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_security": "none",
        "smtp_username": "",
        "mail_from": mail_from,
    }.items():
        monkeypatch.setattr(settings, name, value)
