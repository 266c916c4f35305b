"""money definitions: contract amount on jobs; invoiced, paid, balance, costs to date, projected
and actual margins on job financials and their snapshots

The contract amount used to be the sum of the job's invoices in the books; it is now the signed
price (the CRM's, set by hand, or the estimate), and the books' invoices become "invoiced to
date". Costs held as placeholders were estimates, not costs: they become "not known".

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COSTS = ("materials", "labor", "subcontractor", "permits", "disposal", "equipment", "other")
# The estimate's cost shares as defined on this date (roofops.financials.figures): a migration
# keeps the arithmetic of its day, so that re-running it later gives the same rows.
SHARES = {
    "materials": Decimal("0.34"),
    "labor": Decimal("0.22"),
    "subcontractor": Decimal("0"),
    "permits": Decimal("0.015"),
    "disposal": Decimal("0.03"),
    "equipment": Decimal("0.01"),
    "other": Decimal("0.02"),
}
NEW_FINANCIALS = (
    "invoiced_cents",
    "paid_cents",
    "balance_cents",
    "cost_to_date_cents",
    "projected_revenue_cents",
    "projected_cost_cents",
    "projected_profit_cents",
    "actual_revenue_cents",
    "actual_profit_cents",
)


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("contract_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("contract_source", sa.String(length=32), nullable=True))
    with op.batch_alter_table("job_financials") as batch:
        for name in NEW_FINANCIALS:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=True))
        for name in ("projected_margin", "actual_margin"):
            batch.add_column(sa.Column(name, sa.Numeric(precision=9, scale=4), nullable=True))
    with op.batch_alter_table("job_financial_snapshots") as batch:
        batch.add_column(sa.Column("invoiced_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("cost_to_date_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("projected_margin", sa.Numeric(9, 4), nullable=True))
        batch.add_column(sa.Column("actual_margin", sa.Numeric(9, 4), nullable=True))
    _move_figures(op.get_bind())
    with op.batch_alter_table("job_financials") as batch:
        batch.drop_index("ix_job_financials_margin")
        for name in ("total_cost_cents", "gross_profit_cents", "margin"):
            batch.drop_column(name)
    with op.batch_alter_table("job_financial_snapshots") as batch:
        for name in ("total_cost_cents", "gross_profit_cents", "margin"):
            batch.drop_column(name)


def _move_figures(bind: sa.Connection) -> None:
    """Books' contracts become invoicing; placeholder costs become unknown; then re-derive."""
    bind.exec_driver_sql(
        "UPDATE job_financial_snapshots SET cost_to_date_cents = total_cost_cents, "
        "projected_margin = margin"
    )
    bind.exec_driver_sql(
        "UPDATE job_financials SET "
        "invoiced_cents = (SELECT COALESCE(SUM(i.total_cents), 0) FROM accounting_invoices i "
        "  WHERE i.job_id = job_financials.job_id AND i.status IN ('open', 'paid')), "
        "balance_cents = (SELECT COALESCE(SUM(i.balance_cents), 0) FROM accounting_invoices i "
        "  WHERE i.job_id = job_financials.job_id AND i.status IN ('open', 'paid')) "
        "WHERE books_source IN ('quickbooks', 'xero')"
    )
    bind.exec_driver_sql("UPDATE job_financials SET paid_cents = invoiced_cents - balance_cents")
    bind.exec_driver_sql(
        "UPDATE job_financials SET contract_cents = estimated_contract_cents, "
        "contract_source = 'placeholder', contract_synced_cents = NULL "
        "WHERE contract_source IN ('quickbooks', 'xero', 'placeholder')"
    )
    bind.exec_driver_sql(
        "UPDATE job_financials SET contract_synced_cents = NULL WHERE contract_source = 'manual'"
    )
    for name in COSTS:
        bind.exec_driver_sql(
            f"UPDATE job_financials SET {name}_cents = NULL "  # noqa: S608 (fixed names)
            f"WHERE {name}_source = 'placeholder'"
        )
    _derive(bind)


def _derive(bind: sa.Connection) -> None:
    columns = ", ".join(f"{name}_cents" for name in COSTS)
    rows = bind.exec_driver_sql(
        f"SELECT job_id, contract_cents, invoiced_cents, {columns} FROM job_financials"  # noqa: S608
    ).all()
    statement = sa.text(
        "UPDATE job_financials SET cost_to_date_cents = :to_date, "
        "estimated_cost_cents = :estimate, projected_revenue_cents = :p_revenue, "
        "projected_cost_cents = :p_cost, projected_profit_cents = :p_profit, "
        "projected_margin = :p_margin, actual_revenue_cents = :a_revenue, "
        "actual_profit_cents = :a_profit, actual_margin = :a_margin WHERE job_id = :job_id"
    )
    for row in rows:
        bind.execute(
            statement, _derived(row[0], row[1], row[2], dict(zip(COSTS, row[3:], strict=True)))
        )


def _derived(job_id: object, contract: int | None, invoiced: int | None, costs: dict) -> dict:
    budget = {name: None if contract is None else _cents(contract * SHARES[name]) for name in COSTS}
    known = [value for value in costs.values() if value is not None]
    to_date = sum(known) if known else None
    projected = [v for name in COSTS if (v := _larger(costs[name], budget[name])) is not None]
    projected_cost = sum(projected) if projected else None
    p_revenue = _larger(contract, invoiced)
    a_revenue = invoiced if invoiced else contract
    p_profit = None if p_revenue is None or projected_cost is None else p_revenue - projected_cost
    a_profit = None if a_revenue is None or to_date is None else a_revenue - to_date
    estimate = [v for v in budget.values() if v is not None]
    return {
        "job_id": job_id,
        "to_date": to_date,
        "estimate": sum(estimate) if estimate else None,
        "p_revenue": p_revenue,
        "p_cost": projected_cost,
        "p_profit": p_profit,
        "p_margin": _ratio(p_profit, p_revenue),
        "a_revenue": a_revenue,
        "a_profit": a_profit,
        "a_margin": _ratio(a_profit, a_revenue),
    }


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _larger(first: int | None, second: int | None) -> int | None:
    values = [value for value in (first, second) if value is not None]
    return max(values) if values else None


def _ratio(part: int | None, whole: int | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def downgrade() -> None:
    with op.batch_alter_table("job_financial_snapshots") as batch:
        batch.add_column(sa.Column("total_cost_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("gross_profit_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("margin", sa.Numeric(precision=9, scale=4), nullable=True))
    with op.batch_alter_table("job_financials") as batch:
        batch.add_column(sa.Column("total_cost_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("gross_profit_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("margin", sa.Numeric(precision=9, scale=4), nullable=True))
        batch.create_index("ix_job_financials_margin", ["margin"], unique=False)
    bind = op.get_bind()
    bind.exec_driver_sql(
        "UPDATE job_financial_snapshots SET total_cost_cents = cost_to_date_cents, "
        "margin = projected_margin"
    )
    bind.exec_driver_sql(
        "UPDATE job_financials SET total_cost_cents = projected_cost_cents, "
        "gross_profit_cents = projected_profit_cents, margin = projected_margin"
    )
    with op.batch_alter_table("job_financial_snapshots") as batch:
        for name in ("invoiced_cents", "cost_to_date_cents", "projected_margin", "actual_margin"):
            batch.drop_column(name)
    with op.batch_alter_table("job_financials") as batch:
        for name in (*NEW_FINANCIALS, "projected_margin", "actual_margin"):
            batch.drop_column(name)
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("contract_source")
        batch.drop_column("contract_cents")
