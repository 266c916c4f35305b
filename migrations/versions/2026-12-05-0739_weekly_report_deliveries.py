"""weekly executive report deliveries: one row per week and recipient, recorded before the
mail leaves, so that the report is never mailed twice

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-05 07:39:29.110864+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from roofops.kit.types import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weekly_report_deliveries",
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "sending",
                "sent",
                "uncertain",
                "failed",
                name="reportdeliverystatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_report_deliveries")),
        sa.UniqueConstraint(
            "week_start",
            "recipient",
            name=op.f("uq_weekly_report_deliveries_week_start_recipient"),
        ),
    )


def downgrade() -> None:
    op.drop_table("weekly_report_deliveries")
