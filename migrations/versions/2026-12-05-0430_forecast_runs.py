"""forecasting: forecast runs with their backtest metrics, each open job's predicted start and
finish per run, and the points of every forecast series per run

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 04:30:13.131519+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from roofops.kit.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_runs",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "failed",
                name="forecastrunstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "trigger",
            sa.Enum(
                "nightly",
                "manual",
                "demo",
                "cli",
                name="forecasttrigger",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column(
            "metrics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("threads", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_forecast_runs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    with op.batch_alter_table("forecast_runs") as batch_op:
        batch_op.create_index("ix_forecast_runs_status_as_of", ["status", "as_of"], unique=False)

    op.create_table(
        "forecast_points",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("series_key", sa.String(length=120), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("p10", sa.Float(), nullable=True),
        sa.Column("p50", sa.Float(), nullable=True),
        sa.Column("p90", sa.Float(), nullable=True),
        sa.Column("actual", sa.Float(), nullable=True),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_forecast_points_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_points")),
    )
    with op.batch_alter_table("forecast_points") as batch_op:
        batch_op.create_index(
            "ix_forecast_points_run_id_series_key", ["run_id", "series_key"], unique=False
        )

    op.create_table(
        "job_forecasts",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
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
        sa.Column("days_in_stage", sa.Integer(), nullable=False),
        sa.Column("start_p10", sa.Date(), nullable=True),
        sa.Column("start_p50", sa.Date(), nullable=True),
        sa.Column("start_p90", sa.Date(), nullable=True),
        sa.Column("finish_p10", sa.Date(), nullable=False),
        sa.Column("finish_p50", sa.Date(), nullable=False),
        sa.Column("finish_p90", sa.Date(), nullable=False),
        sa.Column(
            "basis",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_forecasts_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_job_forecasts_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_forecasts")),
        sa.UniqueConstraint("run_id", "job_id", name=op.f("uq_job_forecasts_run_id_job_id")),
    )
    with op.batch_alter_table("job_forecasts") as batch_op:
        batch_op.create_index(batch_op.f("ix_job_forecasts_job_id"), ["job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_forecasts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_forecasts_job_id"))

    op.drop_table("job_forecasts")
    with op.batch_alter_table("forecast_points") as batch_op:
        batch_op.drop_index("ix_forecast_points_run_id_series_key")

    op.drop_table("forecast_points")
    with op.batch_alter_table("forecast_runs") as batch_op:
        batch_op.drop_index("ix_forecast_runs_status_as_of")

    op.drop_table("forecast_runs")
