"""job activity feed: notes, field reports, photos, handoffs, schedule and sync changes and
customer messages per job

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 07:32:06.797452+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from roofops.kit.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_activities",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "note",
                "field",
                "photo",
                "handoff",
                "schedule",
                "sync",
                "customer_message",
                name="activitykind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "actor_type",
            sa.Enum(
                "user",
                "system",
                "sync",
                "api_token",
                name="actortype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_activities_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_activities")),
    )
    with op.batch_alter_table("job_activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_activities_job_id_occurred_at", ["job_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_job_activities_kind"), ["kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_activities_kind"))
        batch_op.drop_index("ix_job_activities_job_id_occurred_at")

    op.drop_table("job_activities")
