"""Counting the SQL statements a piece of code sends: a bound on a page's queries catches a
loop that reads the database once per day, job or plan."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

# The test transaction's savepoints are the fixture's doing, not the code's.
NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def counted_statements(connection: sa.Connection) -> Iterator[list[str]]:
    """The statements sent on ``connection`` (the test's; the app's sessions share it) inside
    the block, savepoints left out."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(NOT_COUNTED):
            sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def verbs_on(statements: list[str], table: str) -> list[str]:
    """The verbs (SELECT, INSERT, ...) of those of ``statements`` that name ``table``."""
    return [statement.split(maxsplit=1)[0] for statement in statements if table in statement]
