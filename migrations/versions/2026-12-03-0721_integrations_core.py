"""integrations core: connections, external refs, sync runs and cursors, webhook inbox, CRM status map

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 07:21:15.743471+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import roofops.kit.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archived_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "crm_status_mappings",
        sa.Column("status_name", sa.String(length=120), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "lead",
                "inspection",
                "estimate",
                "contract_signed",
                "materials_ordered",
                "scheduled",
                "in_production",
                "completed",
                "invoiced",
                "paid",
                "lost",
                "cancelled",
                name="jobstage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_status_mappings")),
        sa.UniqueConstraint("status_name", name=op.f("uq_crm_status_mappings_status_name")),
    )
    op.create_table(
        "external_refs",
        sa.Column(
            "source",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("local_type", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("local_id", sa.Uuid(), nullable=False),
        sa.Column(
            "external_updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_refs")),
        sa.UniqueConstraint(
            "source",
            "local_type",
            "external_id",
            name=op.f("uq_external_refs_source_local_type_external_id"),
        ),
    )
    with op.batch_alter_table("external_refs", schema=None) as batch_op:
        batch_op.create_index("ix_external_refs_local", ["local_type", "local_id"], unique=False)

    op.create_table(
        "inbox_events",
        sa.Column(
            "source",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_events")),
        sa.UniqueConstraint("source", "event_id", name=op.f("uq_inbox_events_source_event_id")),
    )
    op.create_table(
        "integration_connections",
        sa.Column(
            "provider",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "not_configured",
                "connected",
                "failed",
                "disconnected",
                name="connectionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("credentials_encrypted", sa.Text(), nullable=False),
        sa.Column("credentials_origin", sa.String(length=16), nullable=False),
        sa.Column("access_expires_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "refresh_expires_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_success_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_connections")),
        sa.UniqueConstraint("provider", name=op.f("uq_integration_connections_provider")),
    )
    op.create_table(
        "sync_cursors",
        sa.Column(
            "provider",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=40), nullable=False),
        sa.Column("position", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "stream", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "sync_runs",
        sa.Column(
            "provider",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "full", "incremental", "targeted", name="synckind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "partial",
                "failed",
                name="syncrunstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("triggered_by", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("started_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("phase", sa.String(length=60), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_runs_provider_started_at", ["provider", "started_at"], unique=False
        )

    op.create_table(
        "sync_run_errors",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_sync_run_errors_run_id_sync_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run_errors")),
    )
    with op.batch_alter_table("sync_run_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_errors_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("sync_run_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_errors_run_id"))

    op.drop_table("sync_run_errors")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_runs_provider_started_at")

    op.drop_table("sync_runs")
    op.drop_table("sync_cursors")
    op.drop_table("integration_connections")
    op.drop_table("inbox_events")
    with op.batch_alter_table("external_refs", schema=None) as batch_op:
        batch_op.drop_index("ix_external_refs_local")

    op.drop_table("external_refs")
    op.drop_table("crm_status_mappings")
