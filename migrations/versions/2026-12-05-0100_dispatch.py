"""dispatch: job requirements, holidays and crew time off, crews' working days and hours and
calendar token, dispatch plans with schedule entries and route stops, dispatch events, schedule
acknowledgements, weather forecasts

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 01:05:40.207748+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from roofops.kit.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holidays",
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
        sa.UniqueConstraint("on", name=op.f("uq_holidays_on")),
    )
    op.create_table(
        "weather_forecasts",
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("precipitation_mm", sa.Float(), nullable=False),
        sa.Column("precipitation_probability", sa.Integer(), nullable=True),
        sa.Column("wind_max_mph", sa.Float(), nullable=False),
        sa.Column("gust_max_mph", sa.Float(), nullable=False),
        sa.Column("temp_min_f", sa.Float(), nullable=False),
        sa.Column("temp_max_f", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("fetched_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weather_forecasts")),
        sa.UniqueConstraint(
            "latitude", "longitude", "on", name=op.f("uq_weather_forecasts_latitude_longitude_on")
        ),
    )
    with op.batch_alter_table("weather_forecasts") as batch_op:
        batch_op.create_index(batch_op.f("ix_weather_forecasts_on"), ["on"], unique=False)

    op.create_table(
        "crew_time_off",
        sa.Column("crew_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "time_off", "sick", "crew_out", name="timeoffkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_crew_time_off_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_crew_time_off_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"],
            ["crews.id"],
            name=op.f("fk_crew_time_off_crew_id_crews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew_time_off")),
    )
    with op.batch_alter_table("crew_time_off") as batch_op:
        batch_op.create_index(
            "ix_crew_time_off_crew_id_starts_on", ["crew_id", "starts_on"], unique=False
        )

    op.create_table(
        "dispatch_plans",
        sa.Column(
            "kind",
            sa.Enum("schedule", "routes", name="plankind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "superseded",
                "discarded",
                name="planstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("horizon_start", sa.Date(), nullable=False),
        sa.Column("horizon_end", sa.Date(), nullable=False),
        sa.Column("route_date", sa.Date(), nullable=True),
        sa.Column("trigger", sa.String(length=120), nullable=False),
        sa.Column("solver", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("gap_pct", sa.Float(), nullable=True),
        sa.Column("solve_seconds", sa.Float(), nullable=True),
        sa.Column(
            "breakdown",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("based_on_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "horizon_end >= horizon_start", name=op.f("ck_dispatch_plans_horizon_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["dispatch_plans.id"],
            name=op.f("fk_dispatch_plans_based_on_id_dispatch_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_dispatch_plans_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_dispatch_plans_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_plans")),
    )
    with op.batch_alter_table("dispatch_plans") as batch_op:
        batch_op.create_index("ix_dispatch_plans_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dispatch_plans_route_date"), ["route_date"], unique=False
        )

    op.create_table(
        "dispatch_events",
        sa.Column(
            "kind",
            sa.Enum(
                "crew_out",
                "overrun",
                "urgent_job",
                "weather",
                "late_materials",
                name="dispatcheventkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("crew_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_dispatch_events_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"],
            ["crews.id"],
            name=op.f("fk_dispatch_events_crew_id_crews"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_dispatch_events_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["dispatch_plans.id"],
            name=op.f("fk_dispatch_events_plan_id_dispatch_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_events")),
    )
    with op.batch_alter_table("dispatch_events") as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatch_events_kind"), ["kind"], unique=False)

    op.create_table(
        "job_requirements",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("materials_ready_on", sa.Date(), nullable=True),
        sa.Column("permit_ready_on", sa.Date(), nullable=True),
        sa.Column("promised_by", sa.Date(), nullable=True),
        sa.Column("with_gutters", sa.Boolean(), nullable=False),
        sa.Column("production_days", sa.Integer(), nullable=True),
        sa.Column("visit_minutes", sa.Integer(), nullable=False),
        sa.Column("window_start_minute", sa.Integer(), nullable=True),
        sa.Column("window_end_minute", sa.Integer(), nullable=True),
        sa.Column("locked_crew_id", sa.Uuid(), nullable=True),
        sa.Column("locked_start_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "production_days IS NULL OR production_days > 0",
            name=op.f("ck_job_requirements_production_days_positive"),
        ),
        sa.CheckConstraint(
            "visit_minutes > 0", name=op.f("ck_job_requirements_visit_minutes_positive")
        ),
        sa.CheckConstraint(
            "window_start_minute IS NULL OR window_end_minute IS NULL OR window_end_minute > window_start_minute",
            name=op.f("ck_job_requirements_window_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_job_requirements_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["locked_crew_id"],
            ["crews.id"],
            name=op.f("fk_job_requirements_locked_crew_id_crews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_requirements")),
        sa.UniqueConstraint("job_id", name=op.f("uq_job_requirements_job_id")),
    )
    op.create_table(
        "route_stops",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("crew_id", sa.Uuid(), nullable=True),
        sa.Column("route_date", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("visit", "break", name="stopkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("arrival_minute", sa.Integer(), nullable=True),
        sa.Column("start_minute", sa.Integer(), nullable=True),
        sa.Column("departure_minute", sa.Integer(), nullable=True),
        sa.Column("travel_minutes", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_route_stops_crew_id_crews")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_route_stops_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["dispatch_plans.id"],
            name=op.f("fk_route_stops_plan_id_dispatch_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_stops")),
    )
    with op.batch_alter_table("route_stops") as batch_op:
        batch_op.create_index(batch_op.f("ix_route_stops_crew_id"), ["crew_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_stops_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            "ix_route_stops_plan_id_crew_id_sequence",
            ["plan_id", "crew_id", "sequence"],
            unique=False,
        )

    op.create_table(
        "schedule_acknowledgements",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("crew_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crew_id"],
            ["crews.id"],
            name=op.f("fk_schedule_acknowledgements_crew_id_crews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["dispatch_plans.id"],
            name=op.f("fk_schedule_acknowledgements_plan_id_dispatch_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_schedule_acknowledgements_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_acknowledgements")),
        sa.UniqueConstraint(
            "plan_id", "crew_id", name=op.f("uq_schedule_acknowledgements_plan_id_crew_id")
        ),
    )
    with op.batch_alter_table("schedule_acknowledgements") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_acknowledgements_crew_id"), ["crew_id"], unique=False
        )

    op.create_table(
        "schedule_entries",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column(
            "phase",
            sa.Enum("install", "gutters", name="phase", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("crew_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "work_days",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("in_progress", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_schedule_entries_crew_id_crews")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_schedule_entries_job_id_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["dispatch_plans.id"],
            name=op.f("fk_schedule_entries_plan_id_dispatch_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_entries")),
        sa.UniqueConstraint(
            "plan_id", "job_id", "phase", name=op.f("uq_schedule_entries_plan_id_job_id_phase")
        ),
    )
    with op.batch_alter_table("schedule_entries") as batch_op:
        batch_op.create_index(
            "ix_schedule_entries_crew_id_starts_on", ["crew_id", "starts_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_schedule_entries_job_id"), ["job_id"], unique=False)

    with op.batch_alter_table("crews") as batch_op:
        batch_op.add_column(
            sa.Column(
                "working_weekdays", sa.String(length=7), nullable=False, server_default="12345"
            )
        )
        batch_op.add_column(
            sa.Column("shift_start_minute", sa.Integer(), nullable=False, server_default="420")
        )
        batch_op.add_column(
            sa.Column("shift_end_minute", sa.Integer(), nullable=False, server_default="1020")
        )
        batch_op.add_column(
            sa.Column("break_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(sa.Column("calendar_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_crews_calendar_token_hash"), ["calendar_token_hash"]
        )


def downgrade() -> None:
    with op.batch_alter_table("crews") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_crews_calendar_token_hash"), type_="unique")
        batch_op.drop_column("calendar_token_hash")
        batch_op.drop_column("break_minutes")
        batch_op.drop_column("shift_end_minute")
        batch_op.drop_column("shift_start_minute")
        batch_op.drop_column("working_weekdays")

    with op.batch_alter_table("schedule_entries") as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_entries_job_id"))
        batch_op.drop_index("ix_schedule_entries_crew_id_starts_on")

    op.drop_table("schedule_entries")
    with op.batch_alter_table("schedule_acknowledgements") as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_acknowledgements_crew_id"))

    op.drop_table("schedule_acknowledgements")
    with op.batch_alter_table("route_stops") as batch_op:
        batch_op.drop_index("ix_route_stops_plan_id_crew_id_sequence")
        batch_op.drop_index(batch_op.f("ix_route_stops_job_id"))
        batch_op.drop_index(batch_op.f("ix_route_stops_crew_id"))

    op.drop_table("route_stops")
    op.drop_table("job_requirements")
    with op.batch_alter_table("dispatch_events") as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_events_kind"))

    op.drop_table("dispatch_events")
    with op.batch_alter_table("dispatch_plans") as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_plans_route_date"))
        batch_op.drop_index("ix_dispatch_plans_kind_status")

    op.drop_table("dispatch_plans")
    with op.batch_alter_table("crew_time_off") as batch_op:
        batch_op.drop_index("ix_crew_time_off_crew_id_starts_on")

    op.drop_table("crew_time_off")
    with op.batch_alter_table("weather_forecasts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_weather_forecasts_on"))

    op.drop_table("weather_forecasts")
    op.drop_table("holidays")
