"""Every migration goes up, down and up again, and the models match the migrated schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from roofops import schema
from roofops.db import get_engine
from roofops.models import Base


def test_up_down_up_ends_at_head(database_url: str) -> None:
    schema.downgrade(database_url, "base")
    with get_engine(database_url).connect() as connection:
        assert schema.current_revision(connection) is None
        assert "jobs" not in sa.inspect(connection).get_table_names()
    schema.upgrade(database_url)
    assert schema.is_current(database_url)


def test_models_match_migrations(database_url: str) -> None:
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": schema.include_name}
        )
        assert compare_metadata(context, Base.metadata) == []
