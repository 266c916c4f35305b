"""company settings: the job stage at which the customer is sent their portal link (none: off)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 11:20:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("company_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portal_invite_stage", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("company_settings", schema=None) as batch_op:
        batch_op.drop_column("portal_invite_stage")
