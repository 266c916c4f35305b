"""Every migration goes up, down and up again, and the models match the migrated schema."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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


def test_cost_line_allocation_goes_down_without_the_lines_the_old_schema_cannot_hold(
    database_url: str,
) -> None:
    """Overhead and unallocated lines have no job; the old cost_lines required one."""
    engine = get_engine(database_url)
    overhead = {
        "id": uuid.uuid4().hex if engine.dialect.name == "sqlite" else uuid.uuid4(),
        "now": datetime.now(UTC),
    }
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO cost_lines (id, provider, txn_type, txn_id, line_id, job_id,"
                " allocation, allocated_to, category, amount_cents, vendor_name, account_name,"
                " description, created_at, updated_at) VALUES (:id, 'quickbooks', 'Purchase',"
                " '1', '1', NULL, 'overhead', '', 'other', 850000, '', '', '', :now, :now)"
            ),
            overhead,
        )

    schema.downgrade(database_url, "0004")
    with engine.connect() as connection:
        columns = {c["name"]: c for c in sa.inspect(connection).get_columns("cost_lines")}
        lines = connection.execute(sa.text("SELECT count(*) FROM cost_lines")).scalar()
    schema.upgrade(database_url)

    assert "allocation" not in columns
    assert columns["job_id"]["nullable"] is False
    assert lines == 0
    assert schema.is_current(database_url)


def test_the_jobnimbus_maps_migration_goes_down_and_up_again(database_url: str) -> None:
    """Down: the maps, the status-change log and the job flag go. Up: they are back, and the
    JobNimbus cursors are reset so that the next sync is a full one that fills the log."""
    maps = {"crm_workflow_statuses", "crm_status_changes", "crm_branch_mappings"}
    schema.downgrade(database_url, "0004")
    engine = get_engine(database_url)
    with engine.connect() as connection:
        assert not maps & set(sa.inspect(connection).get_table_names())
        assert "unmapped_crm_status" not in _columns(connection, "jobs")
        connection.execute(
            sa.text(
                "INSERT INTO sync_cursors (provider, stream, position, updated_at) "
                "VALUES ('jobnimbus', 'jobs', :now, :now)"
            ),
            {"now": datetime.now(UTC)},
        )
        connection.commit()

    schema.upgrade(database_url)

    with engine.connect() as connection:
        assert maps <= set(sa.inspect(connection).get_table_names())
        assert "unmapped_crm_status" in _columns(connection, "jobs")
        cursors = "SELECT count(*) FROM sync_cursors WHERE provider = 'jobnimbus'"
        assert connection.scalar(sa.text(cursors)) == 0


def _columns(connection: sa.Connection, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns(table)}


def test_the_dispatch_migration_goes_down_and_up_again(database_url: str) -> None:
    """Down: the dispatch tables and the crews' working hours go. Up: they are back, and a crew
    made before the migration works Monday to Friday, 7:00 to 17:00."""
    tables = {"dispatch_plans", "schedule_entries", "route_stops", "job_requirements", "holidays"}
    schema.downgrade(database_url, "0013")
    engine = get_engine(database_url)
    with engine.connect() as connection:
        assert not tables & set(sa.inspect(connection).get_table_names())
        assert "working_weekdays" not in _columns(connection, "crews")

    schema.upgrade(database_url)

    with engine.connect() as connection:
        assert tables <= set(sa.inspect(connection).get_table_names())
        crews = {c["name"]: c for c in sa.inspect(connection).get_columns("crews")}
    assert "12345" in str(crews["working_weekdays"]["default"])
    assert "420" in str(crews["shift_start_minute"]["default"])
