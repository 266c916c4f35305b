"""Free-text search for repositories: case-insensitive substring match, wildcards escaped."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    escaped = (
        text.strip()
        .replace(_ESCAPE, _ESCAPE * 2)
        .replace("%", _ESCAPE + "%")
        .replace("_", _ESCAPE + "_")
    )
    return f"%{escaped}%"


def matches_any(text: str, *columns: Any) -> sa.ColumnElement[bool]:
    """True where any column contains ``text`` (ILIKE on PostgreSQL, lower() LIKE on SQLite)."""
    pattern = contains_pattern(text)
    return sa.or_(*(column.ilike(pattern, escape=_ESCAPE) for column in columns))
