"""teams (sales, production, finance) owning jobs with a named owner, handoffs between them
with a checklist, and crews lent to another branch

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-05 07:38:37.845969+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from roofops.kit.types import UTCDateTime

revision: str = "0018"
# 0016 as branched; on 0019 since this branch merged feed (one head). The lead chains at merge.
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "function",
            sa.Enum(
                "sales", "production", "finance", name="teamfunction", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("branch_id", sa.Uuid(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_teams_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_teams_function"), ["function"], unique=False)

    op.create_table(
        "crew_loans",
        sa.Column("crew_id", sa.Uuid(), nullable=False),
        sa.Column("to_branch_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_crew_loans_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_crew_loans_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name=op.f("fk_crew_loans_crew_id_crews"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["to_branch_id"], ["branches.id"], name=op.f("fk_crew_loans_to_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew_loans")),
    )
    with op.batch_alter_table("crew_loans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_crew_loans_crew_id_starts_on", ["crew_id", "starts_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_crew_loans_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_crew_loans_to_branch_id"), ["to_branch_id"], unique=False
        )

    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_team_members_team_id_user_id")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "job_handoffs",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "accepted", "cancelled", name="handoffstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("from_team_id", sa.Uuid(), nullable=True),
        sa.Column("to_team_id", sa.Uuid(), nullable=False),
        sa.Column("from_owner_id", sa.Uuid(), nullable=True),
        sa.Column("to_owner_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=True),
        sa.Column("started_by_label", sa.String(length=200), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("closed_by_label", sa.String(length=200), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_owner_id"], ["users.id"], name=op.f("fk_job_handoffs_from_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_team_id"], ["teams.id"], name=op.f("fk_job_handoffs_from_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_handoffs_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["to_owner_id"], ["users.id"], name=op.f("fk_job_handoffs_to_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_team_id"], ["teams.id"], name=op.f("fk_job_handoffs_to_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_handoffs")),
    )
    with op.batch_alter_table("job_handoffs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_handoffs_job_id_started_at", ["job_id", "started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_job_handoffs_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_handoffs_to_owner_id"), ["to_owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_job_handoffs_to_team_id"), ["to_team_id"], unique=False
        )
        batch_op.create_index(
            "uq_job_handoffs_open_job",
            ["job_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "job_handoff_items",
        sa.Column("handoff_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("done_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Uuid(), nullable=True),
        sa.Column("done_by_label", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["job_handoffs.id"],
            name=op.f("fk_job_handoff_items_handoff_id_job_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_handoff_items")),
        sa.UniqueConstraint(
            "handoff_id", "code", name=op.f("uq_job_handoff_items_handoff_id_code")
        ),
    )
    with op.batch_alter_table("job_handoff_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_handoff_items_handoff_id"), ["handoff_id"], unique=False
        )

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_team_id"), ["team_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_owner_id_users"), "users", ["owner_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_team_id_teams"), "teams", ["team_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_jobs_team_id_teams"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_jobs_owner_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_jobs_team_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_owner_id"))
        batch_op.drop_column("owner_id")
        batch_op.drop_column("team_id")

    with op.batch_alter_table("job_handoff_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_handoff_items_handoff_id"))

    op.drop_table("job_handoff_items")
    with op.batch_alter_table("job_handoffs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_job_handoffs_open_job",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_job_handoffs_to_team_id"))
        batch_op.drop_index(batch_op.f("ix_job_handoffs_to_owner_id"))
        batch_op.drop_index(batch_op.f("ix_job_handoffs_status"))
        batch_op.drop_index("ix_job_handoffs_job_id_started_at")

    op.drop_table("job_handoffs")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_user_id"))

    op.drop_table("team_members")
    with op.batch_alter_table("crew_loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crew_loans_to_branch_id"))
        batch_op.drop_index(batch_op.f("ix_crew_loans_ends_on"))
        batch_op.drop_index("ix_crew_loans_crew_id_starts_on")

    op.drop_table("crew_loans")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_function"))
        batch_op.drop_index(batch_op.f("ix_teams_branch_id"))

    op.drop_table("teams")
