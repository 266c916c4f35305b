"""Run and inspect Alembic migrations from code (CLI, tests, /health/ready)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from roofops.db import get_engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """procrastinate owns its own tables; autogenerate and drift checks leave them alone."""
    return not (type_ in {"table", "index"} and (name or "").startswith("procrastinate"))


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def is_current(url: str | None = None) -> bool:
    with get_engine(url).connect() as connection:
        return current_revision(connection) == head_revision()
