"""Which accounting system the company keeps its books in, behind the accounting port."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.integrations.core.accounting import (
    AccountingProvider,
    AccountingState,
    accounting_state,
    row_holds_the_books,
)
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.accounting import quickbooks_accounting
from roofops.integrations.xero.accounting import xero_accounting

PROVIDERS: tuple[AccountingProvider, ...] = (quickbooks_accounting, xero_accounting)


def company_accounting(db: Session, settings: Settings) -> tuple[AccountingProvider, str]:
    """The provider a sync can start from, else the one connected (failed, or waiting for a
    choice), else the first (QuickBooks), with what stands in its way (each asked once)."""
    rows = ConnectionRepository(db).of_providers(accounting.provider for accounting in PROVIDERS)
    row_of = {row.provider: row for row in rows}  # one read, however many providers
    first: tuple[AccountingProvider, str] | None = None
    connected_first = sorted(
        PROVIDERS, key=lambda a: not row_holds_the_books(row_of.get(a.provider))
    )
    for accounting in connected_first:
        problem = accounting.problem_of(row_of.get(accounting.provider), settings)
        if not problem:
            return accounting, ""
        first = first or (accounting, problem)
    assert first is not None
    return first


def company_accounting_state(db: Session, settings: Settings) -> AccountingState:
    """Whether "Sync all" can start from the company's books, and its latest run."""
    return accounting_state(db, *company_accounting(db, settings))
