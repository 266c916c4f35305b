"""cost line allocation: company overhead and unallocated lines beside job lines

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 14:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALLOCATION = sa.Enum(
    "job", "overhead", "unallocated", name="costallocation", native_enum=False, length=32
)
CHECK = "(allocation = 'job') = (job_id IS NOT NULL)"


def upgrade() -> None:
    # Every line stored so far was a job's: the server default fills them in, then goes.
    with op.batch_alter_table("cost_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allocation", ALLOCATION, nullable=False, server_default="job")
        )
        batch_op.add_column(
            sa.Column("allocated_to", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.alter_column("job_id", existing_type=sa.Uuid(), nullable=True)
    with op.batch_alter_table("cost_lines", schema=None) as batch_op:
        batch_op.alter_column("allocation", existing_type=ALLOCATION, server_default=None)
        batch_op.alter_column(
            "allocated_to", existing_type=sa.String(length=200), server_default=None
        )
        batch_op.create_check_constraint(op.f("ck_cost_lines_job_allocation"), CHECK)
        batch_op.create_index(
            "ix_cost_lines_allocation_txn_date", ["allocation", "txn_date"], unique=False
        )


def downgrade() -> None:
    # The old schema holds job lines only; overhead and unallocated lines cannot go back.
    op.execute(sa.text("DELETE FROM cost_lines WHERE job_id IS NULL"))
    with op.batch_alter_table("cost_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_lines_allocation_txn_date")
        batch_op.drop_constraint(op.f("ck_cost_lines_job_allocation"), type_="check")
        batch_op.alter_column("job_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("allocated_to")
        batch_op.drop_column("allocation")
