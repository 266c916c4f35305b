"""job sort indexes: the lists' orders (newest, latest stage change, last edit) walk an index

A page of 25 jobs sorted by creation or stage change otherwise sorts every job first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORT_INDEXES = {
    "ix_jobs_created_at_id": ["created_at", "id"],
    "ix_jobs_stage_changed_at_id": ["stage_changed_at", "id"],
    "ix_jobs_updated_at_id": ["updated_at", "id"],
}


def upgrade() -> None:
    for name, columns in SORT_INDEXES.items():
        op.create_index(name, "jobs", columns)


def downgrade() -> None:
    for name in SORT_INDEXES:
        op.drop_index(name, table_name="jobs")
