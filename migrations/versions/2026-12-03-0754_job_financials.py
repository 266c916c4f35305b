"""job financials: current figures with sources, snapshots, accounting invoices, cost lines, cost map

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 07:54:53.507003+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import roofops.kit.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cost_category_mappings",
        sa.Column(
            "provider",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("external_name", sa.String(length=200), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "materials",
                "labor",
                "subcontractor",
                "permits",
                "disposal",
                "equipment",
                "other",
                name="costcategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_category_mappings")),
        sa.UniqueConstraint(
            "provider",
            "kind",
            "external_id",
            name=op.f("uq_cost_category_mappings_provider_kind_external_id"),
        ),
    )
    op.create_table(
        "accounting_invoices",
        sa.Column(
            "provider",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("doc_number", sa.String(length=40), nullable=False),
        sa.Column("customer_ref", sa.String(length=64), nullable=False),
        sa.Column("txn_date", sa.Date(), nullable=True),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("balance_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "paid",
                "voided",
                "deleted",
                name="accountingdocstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("updated_remote_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_accounting_invoices_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_invoices")),
        sa.UniqueConstraint(
            "provider", "external_id", name=op.f("uq_accounting_invoices_provider_external_id")
        ),
    )
    with op.batch_alter_table("accounting_invoices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounting_invoices_doc_number"), ["doc_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_accounting_invoices_job_id"), ["job_id"], unique=False)

    op.create_table(
        "cost_lines",
        sa.Column(
            "provider",
            sa.Enum(
                "jobnimbus", "quickbooks", "xero", name="provider", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("txn_type", sa.String(length=20), nullable=False),
        sa.Column("txn_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=32), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "materials",
                "labor",
                "subcontractor",
                "permits",
                "disposal",
                "equipment",
                "other",
                name="costcategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("txn_date", sa.Date(), nullable=True),
        sa.Column("vendor_name", sa.String(length=200), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_cost_lines_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_lines")),
        sa.UniqueConstraint(
            "provider",
            "txn_type",
            "txn_id",
            "line_id",
            name=op.f("uq_cost_lines_provider_txn_type_txn_id_line_id"),
        ),
    )
    with op.batch_alter_table("cost_lines", schema=None) as batch_op:
        batch_op.create_index("ix_cost_lines_job_id_category", ["job_id", "category"], unique=False)

    op.create_table(
        "job_financial_snapshots",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("taken_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("contract_cents", sa.BigInteger(), nullable=True),
        sa.Column("total_cost_cents", sa.BigInteger(), nullable=True),
        sa.Column("gross_profit_cents", sa.BigInteger(), nullable=True),
        sa.Column("margin", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column(
            "figures",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_job_financial_snapshots_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_financial_snapshots")),
    )
    with op.batch_alter_table("job_financial_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_financial_snapshots_job_taken", ["job_id", "taken_at"], unique=False
        )

    op.create_table(
        "job_financials",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("contract_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "contract_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("contract_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column("materials_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "materials_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("materials_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column("labor_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "labor_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("labor_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column("subcontractor_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "subcontractor_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subcontractor_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column("permits_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "permits_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("permits_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column("disposal_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "disposal_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("disposal_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column("equipment_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "equipment_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("equipment_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column("other_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "other_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("other_synced_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "books_source",
            sa.Enum(
                "placeholder",
                "quickbooks",
                "xero",
                "manual",
                name="figuresource",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("estimated_contract_cents", sa.BigInteger(), nullable=True),
        sa.Column("estimated_cost_cents", sa.BigInteger(), nullable=True),
        sa.Column("total_cost_cents", sa.BigInteger(), nullable=True),
        sa.Column("gross_profit_cents", sa.BigInteger(), nullable=True),
        sa.Column("margin", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("last_synced_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "sync_status",
            sa.Enum(
                "never", "ok", "error", name="financialsyncstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("sync_error", sa.Text(), nullable=False),
        sa.Column("created_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", roofops.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_financials_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_financials")),
    )
    with op.batch_alter_table("job_financials", schema=None) as batch_op:
        batch_op.create_index("ix_job_financials_margin", ["margin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_financials", schema=None) as batch_op:
        batch_op.drop_index("ix_job_financials_margin")

    op.drop_table("job_financials")
    with op.batch_alter_table("job_financial_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_job_financial_snapshots_job_taken")

    op.drop_table("job_financial_snapshots")
    with op.batch_alter_table("cost_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_lines_job_id_category")

    op.drop_table("cost_lines")
    with op.batch_alter_table("accounting_invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounting_invoices_job_id"))
        batch_op.drop_index(batch_op.f("ix_accounting_invoices_doc_number"))

    op.drop_table("accounting_invoices")
    op.drop_table("cost_category_mappings")
