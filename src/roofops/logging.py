"""Structured logs: dotted event names with key/value context; JSON in production.

Our own events (structlog) and every library's (uvicorn's access and error lines, SQLAlchemy,
APScheduler...) go through the same processors: in production each record is one JSON line,
a traceback included (as the ``exception`` field), and secrets are redacted from both.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO, cast

import structlog

from roofops.config import Settings

_SECRET_KEYS = ("password", "token", "secret", "authorization", "cookie", "api_key")
# Query parameters that carry a credential: the OAuth callback's one-time code and its state
# (CSRF binding), and any token a client might put in a URL.
SECRET_QUERY_PARAMS = ("code", "state", "token", "access_token", "refresh_token", "api_key")
_SECRET_IN_QUERY = re.compile(
    r"([?&](?:" + "|".join(SECRET_QUERY_PARAMS) + r")=)[^&\s\"']*", re.IGNORECASE
)
# Paths that carry a credential: the customer portal's magic link (/portal/sign-in/<token>).
_SECRET_IN_PATH = re.compile(r"(/portal/sign-in/)[^/?#\s\"']+")
REDACTED = "[redacted]"


def redact_query_secrets(text: str) -> str:
    """``/callback?code=abc&state=xyz&realmId=1`` -> ``/callback?code=[redacted]&state=...``;
    ``/portal/sign-in/<token>`` -> ``/portal/sign-in/[redacted]``."""
    text = _SECRET_IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    return _SECRET_IN_QUERY.sub(rf"\g<1>{REDACTED}", text)


def _redact_secrets(
    _logger: object, _method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    """A last line of defence: a value logged under a secret-looking key never reaches output,
    nor a secret query parameter inside any logged text (a URL, a request line)."""
    for key, value in list(event_dict.items()):
        if any(marker in key.lower() for marker in _SECRET_KEYS):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = redact_query_secrets(value)
    return event_dict


CHATTY_LIBRARIES = ("alembic", "apscheduler", "httpx", "httpcore")
# uvicorn's own logging config (when started as `uvicorn ...`) gives these handlers of their own,
# which would print plain, multi-line, unredacted records: ours take over.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the moment of writing: a test runner (or a CLI
    runner) swaps it and closes its replacement, which a logger bound at start-up would keep."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


# print() and logging.StreamHandler need only write() and flush().
STDERR = cast(TextIO, _CurrentStderr())


def configure_logging(settings: Settings) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.logs_as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    level = logging.getLevelName(settings.log_level.upper())
    shared: list[structlog.types.Processor] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_secrets,
    ]
    _configure_library_logging(level, shared, renderer)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            *shared,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=STDERR),
        cache_logger_on_first_use=True,
    )


def _configure_library_logging(
    level: int, shared: list[structlog.types.Processor], renderer: structlog.types.Processor
) -> None:
    """Standard-library records are rendered by our processors too (one line each in JSON)."""
    handler = logging.StreamHandler(STDERR)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    logging.basicConfig(handlers=[handler], level=level, force=True)
    for chatty in CHATTY_LIBRARIES:
        # Their INFO lines (alembic's plugin set-up, APScheduler's every job add, httpx's every
        # request, which our vendor clients log with context) tell an operator nothing;
        # warnings and errors still come through.
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.setLevel(logging.NOTSET)  # the level is ours too (ROOFOPS_LOG_LEVEL)
        server_logger.propagate = True


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
