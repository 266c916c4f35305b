"""Which statements a piece of code sends: query-count tests bound them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def statements_on(connection: sa.Connection, table: str) -> Iterator[list[str]]:
    """The verbs (SELECT, INSERT, ...) of the statements naming ``table`` sent while inside."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if table in statement:
            seen.append(statement.split(maxsplit=1)[0])

    sa.event.listen(connection, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(connection, "before_cursor_execute", note)
