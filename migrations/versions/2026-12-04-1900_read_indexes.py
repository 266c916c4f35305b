"""read indexes: the Command Center's latest moves and the money's latest change

The Command Center's feed (the newest 20 moves across all jobs) otherwise sorts every stage
event on each view; the Profit summary's cache asks when job money last changed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_job_stage_events_occurred_at_recorded_at": (
        "job_stage_events",
        ["occurred_at", "recorded_at"],
    ),
    "ix_job_financials_updated_at": ("job_financials", ["updated_at"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
