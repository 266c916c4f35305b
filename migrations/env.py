"""Alembic environment: the URL comes from roofops settings (or the caller's connection)."""

from __future__ import annotations

from alembic import context

import roofops.models  # noqa: F401  (registers every table)
from roofops.db import get_engine
from roofops.models.base import Base
from roofops.schema import include_name

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or None
    with get_engine(url).connect() as fresh:
        _run(fresh)
        fresh.commit()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
