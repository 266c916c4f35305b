"""Structured logs: dotted event names with key/value context; JSON in production."""

from __future__ import annotations

import logging
import sys
from typing import TextIO, cast

import structlog

from roofops.config import Settings

_SECRET_KEYS = ("password", "token", "secret", "authorization", "cookie", "api_key")


def _redact_secrets(
    _logger: object, _method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    """A last line of defence: a value logged under a secret-looking key never reaches output."""
    for key in list(event_dict):
        if any(marker in key.lower() for marker in _SECRET_KEYS):
            event_dict[key] = "[redacted]"
    return event_dict


CHATTY_LIBRARIES = ("alembic", "apscheduler")


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
    logging.basicConfig(format="%(message)s", stream=STDERR, level=level, force=True)
    for chatty in CHATTY_LIBRARIES:
        # Their INFO lines (alembic's plugin set-up, APScheduler's every job add) tell an
        # operator nothing; warnings and errors still come through.
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=STDERR),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
