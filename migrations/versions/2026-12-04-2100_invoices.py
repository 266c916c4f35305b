"""invoices: the invoices we raise for a job, and their lines

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from roofops.kit.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payer_kind", sa.String(length=32), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("voided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.Column("push_status", sa.String(length=32), nullable=False),
        sa.Column("push_error", sa.Text(), nullable=False),
        sa.Column("accounting_provider", sa.String(length=32), nullable=True),
        sa.Column("accounting_id", sa.String(length=64), nullable=False),
        sa.Column("pushed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total_cents >= 0", name=op.f("ck_invoices_total_not_negative")),
        sa.CheckConstraint("paid_cents >= 0", name=op.f("ck_invoices_paid_not_negative")),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_invoices_sequence_positive")),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_invoices_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("job_id", "sequence", name=op.f("uq_invoices_job_id_sequence")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    with op.batch_alter_table("invoices") as batch:
        batch.create_index("ix_invoices_created_at_id", ["created_at", "id"])
        batch.create_index(batch.f("ix_invoices_job_id"), ["job_id"])
        batch.create_index(batch.f("ix_invoices_kind"), ["kind"])
        batch.create_index(batch.f("ix_invoices_payer_kind"), ["payer_kind"])
        batch.create_index(batch.f("ix_invoices_status"), ["status"])
        batch.create_index(batch.f("ix_invoices_due_date"), ["due_date"])
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_invoice_lines_invoice_id_position")
        ),
    )
    op.create_index(op.f("ix_invoice_lines_invoice_id"), "invoice_lines", ["invoice_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_lines_invoice_id"), table_name="invoice_lines")
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
