"""Outgoing mail against a real local SMTP server: what arrives, failures told apart (refused:
nothing went out; broken mid-send: it may have), the secret kept out of messages, the demo's
outbox, and the 409 without any set-up."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pydantic import SecretStr

from roofops.config import Settings
from roofops.mail import (
    Attachment,
    Mail,
    MailNotConfigured,
    MailNotSent,
    OutboxMailer,
    SmtpMailer,
    mailer_for,
)
from tests.smtp import SmtpServer, free_port, running_smtp_server

MAIL = Mail(
    to="pat@example.com",
    subject="Invoice 5003",
    body="Amount due: $5,535.00",
    attachments=(Attachment("invoice-5003.pdf", b"%PDF-1.4 test"),),
)
PASSWORD = "hunter2-very-secret"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


def settings_for(port: int, **changes: object) -> Settings:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "mail_from": "Summit Roofing <billing@summit.example>",
        **changes,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_a_message_arrives_with_its_attachment(smtp: SmtpServer) -> None:
    message_id = SmtpMailer(settings_for(smtp.port)).send(MAIL)

    [message] = smtp.messages
    assert message["Message-ID"] == message_id
    assert (message["From"], message["To"]) == (
        "Summit Roofing <billing@summit.example>",
        "pat@example.com",
    )
    assert smtp.envelopes == [("billing@summit.example", ["pat@example.com"])]
    [pdf] = list(message.iter_attachments())
    assert (pdf.get_filename(), pdf.get_content()) == ("invoice-5003.pdf", b"%PDF-1.4 test")


def test_a_refusal_and_an_unreachable_server_are_not_sent(smtp: SmtpServer) -> None:
    smtp.refuse_with = "554 Transaction failed: policy"
    with pytest.raises(MailNotSent, match="554 Transaction failed"):
        SmtpMailer(settings_for(smtp.port)).send(MAIL)

    with pytest.raises(MailNotSent, match="cannot reach the mail server"):
        SmtpMailer(settings_for(free_port(), smtp_timeout_seconds=2)).send(MAIL)


def test_starttls_is_required_when_asked_and_the_password_never_shows(smtp: SmtpServer) -> None:
    """The local server offers no STARTTLS: the mailer refuses to sign in in the clear."""
    settings = settings_for(
        smtp.port,
        smtp_security="starttls",
        smtp_username="billing",
        smtp_password=SecretStr(PASSWORD),
    )

    with pytest.raises(MailNotSent) as refused:
        SmtpMailer(settings).send(MAIL)

    assert "STARTTLS" in refused.value.message or "starttls" in refused.value.message.lower()
    assert PASSWORD not in refused.value.message
    assert PASSWORD not in repr(settings)
    assert smtp.messages == []


def test_without_a_host_mail_is_refused_except_in_the_demo(tmp_path: Path) -> None:
    plain = Settings(smtp_host="", data_dir=tmp_path)
    with pytest.raises(MailNotConfigured, match="ROOFOPS_SMTP_HOST") as refused:
        mailer_for(plain, demo=False)
    assert refused.value.status_code == 409
    with pytest.raises(MailNotConfigured, match="ROOFOPS_MAIL_FROM"):
        mailer_for(Settings(smtp_host="smtp.example.com", mail_from=""), demo=False)

    outbox = mailer_for(plain, demo=True)
    assert isinstance(outbox, OutboxMailer)
    outbox.send(MAIL)

    [written] = list((tmp_path / "outbox").glob("*.eml"))
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert (message["To"], message["Subject"]) == ("pat@example.com", "Invoice 5003")
