"""payments read back from the books; books invoices' due dates; invoice push, send and
reminder state

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 22:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from roofops.kit.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounting_payments",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("txn_date", sa.Date(), nullable=True),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("unapplied_cents", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("customer_ref", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_remote_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_payments")),
        sa.UniqueConstraint(
            "provider", "external_id", name=op.f("uq_accounting_payments_provider_external_id")
        ),
    )
    with op.batch_alter_table("accounting_payments") as batch:
        batch.create_index(batch.f("ix_accounting_payments_txn_date"), ["txn_date"])
    op.create_table(
        "accounting_payment_allocations",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_external_id", sa.String(length=64), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["accounting_payments.id"],
            name=op.f("fk_accounting_payment_allocations_payment_id_accounting_payments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_payment_allocations")),
        sa.UniqueConstraint(
            "payment_id",
            "invoice_external_id",
            name=op.f("uq_accounting_payment_allocations_payment_id_invoice_external_id"),
        ),
    )
    with op.batch_alter_table("accounting_payment_allocations") as batch:
        batch.create_index(
            batch.f("ix_accounting_payment_allocations_invoice_external_id"),
            ["invoice_external_id"],
        )
        batch.create_index(batch.f("ix_accounting_payment_allocations_payment_id"), ["payment_id"])
    with op.batch_alter_table("accounting_invoices") as batch:
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(
            sa.Column("push_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("push_requested_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_reminder_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        for column in (
            "last_reminder_at",
            "reminders_sent",
            "sent_at",
            "push_requested_at",
            "push_attempts",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("accounting_invoices") as batch:
        batch.drop_column("due_date")
    op.drop_table("accounting_payment_allocations")
    op.drop_table("accounting_payments")
