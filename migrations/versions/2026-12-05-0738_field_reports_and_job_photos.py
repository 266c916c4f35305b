"""field reports (crews' status on a job each day) and job photos (image bytes in the
database)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 07:38:07.315581+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from roofops.kit.types import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "field_reports",
        sa.Column("crew_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "en_route",
                "on_site",
                "finished",
                "blocked",
                name="fieldstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crew_id"],
            ["crews.id"],
            name=op.f("fk_field_reports_crew_id_crews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_field_reports_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["users.id"],
            name=op.f("fk_field_reports_reported_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_reports")),
    )
    with op.batch_alter_table("field_reports", schema=None) as batch_op:
        batch_op.create_index("ix_field_reports_day_crew_id", ["day", "crew_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_field_reports_job_id"), ["job_id"], unique=False)

    op.create_table(
        "job_photos",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("crew_id", sa.Uuid(), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("shared_with_customer", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_job_photos_crew_id_crews"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_photos_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_job_photos_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_photos")),
    )
    with op.batch_alter_table("job_photos", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_photos_job_id_uploaded_at", ["job_id", "uploaded_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("job_photos", schema=None) as batch_op:
        batch_op.drop_index("ix_job_photos_job_id_uploaded_at")

    op.drop_table("job_photos")
    with op.batch_alter_table("field_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_reports_job_id"))
        batch_op.drop_index("ix_field_reports_day_crew_id")

    op.drop_table("field_reports")
