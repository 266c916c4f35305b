"""Outgoing mail: one message at a time through SMTP (standard library), or the demo's outbox.

A failed send is told apart by whether the message may have gone out: :class:`MailNotSent`
when the server never accepted it (it refused the connection, the sign-in, a recipient or the
data, each with an error reply), :class:`MailUncertain` when the connection broke while the
message was being handed over (the server may have accepted it and we never heard). Callers
that must not send twice treat the second as sent.

The password is a ``SecretStr`` read only here, at sign-in; no message or log line carries it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from roofops.config import Settings
from roofops.exceptions import Conflict, RoofOpsError
from roofops.kit.time import utcnow
from roofops.logging import get_logger

log = get_logger(__name__)
OUTBOX_FOLDER = "outbox"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  # plain text
    attachments: tuple[Attachment, ...] = ()


class MailNotConfigured(Conflict):
    code = "mail_not_configured"


class MailFailed(RoofOpsError):
    status_code = 502
    code = "mail_failed"


class MailNotSent(MailFailed):
    """The server refused it or was never reached: nothing went out, trying again is safe."""


class MailUncertain(MailFailed):
    """The connection broke while handing the message over: it may have gone out."""


class Mailer(Protocol):
    def send(self, mail: Mail) -> str:
        """Send one message; its Message-ID."""
        ...


def mailer_for(settings: Settings, *, demo: bool) -> Mailer:
    """SMTP when a host is configured; the outbox for a demo company without one; else 409."""
    if settings.smtp_host:
        if not settings.mail_from:
            raise MailNotConfigured(
                "mail is not configured: ROOFOPS_SMTP_HOST is set but ROOFOPS_MAIL_FROM is not"
            )
        return SmtpMailer(settings)
    if demo:
        return OutboxMailer(settings.data_dir / OUTBOX_FOLDER, settings.mail_from)
    raise MailNotConfigured(
        "mail is not configured: set ROOFOPS_SMTP_HOST and ROOFOPS_MAIL_FROM "
        "(docs/configuration.md, Outgoing mail)"
    )


def compose(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message.set_content(mail.body)
    for item in mail.attachments:
        message.add_attachment(
            item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename
        )
    return message


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >") if "@" in address else "roofops.local"


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, mail: Mail) -> str:
        message = compose(mail, self.settings.mail_from)
        with self._signed_in() as smtp:
            try:
                smtp.send_message(message)
            except smtplib.SMTPResponseException as refused:  # an error reply: not accepted
                reply = _reply(refused)
                raise MailNotSent(f"the mail server refused the message: {reply}") from None
            except smtplib.SMTPRecipientsRefused:
                raise MailNotSent(f"the mail server refused the recipient {mail.to}") from None
            except (smtplib.SMTPException, OSError) as broken:
                raise MailUncertain(
                    f"the connection to the mail server broke while sending: {broken}"
                ) from None
        log.info("mail.sent", to=mail.to, subject=mail.subject, host=self.settings.smtp_host)
        return str(message["Message-ID"])

    @contextmanager
    def _signed_in(self) -> Iterator[smtplib.SMTP]:
        """Connected, secured and signed in; every failure here is before any message."""
        settings = self.settings
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as unreachable:
            raise MailNotSent(
                f"cannot reach the mail server {settings.smtp_host}:{settings.smtp_port}: "
                f"{unreachable}"
            ) from None
        try:
            self._secure_and_sign_in(smtp)
            yield smtp
        finally:
            _close(smtp)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "tls":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context
            )
        return smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)

    def _secure_and_sign_in(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        try:
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_username, password)
        except smtplib.SMTPResponseException as refused:
            raise MailNotSent(f"the mail server refused us: {_reply(refused)}") from None
        except (OSError, smtplib.SMTPException) as failed:
            raise MailNotSent(f"cannot secure or sign in to the mail server: {failed}") from None


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    message = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{error.smtp_code} {message}".strip()


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class OutboxMailer:
    """The demo's mail: each message a ``.eml`` file, opened by any mail client, sent nowhere."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender or "roofops demo <demo@roofops.local>"

    def send(self, mail: Mail) -> str:
        message = compose(mail, self.sender)
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S%f}-{_safe(mail.to)}.eml"
        (self.folder / name).write_bytes(message.as_bytes())
        log.info("mail.written_to_outbox", to=mail.to, subject=mail.subject, file=name)
        return str(message["Message-ID"])


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "@.-" else "_" for c in text)[:80]
