"""Which accounting system the company keeps its books in, behind the accounting port."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.integrations.core.accounting import (
    AccountingProvider,
    AccountingState,
    accounting_state,
    holds_the_books,
)
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.accounting import quickbooks_accounting
from roofops.integrations.xero.accounting import xero_accounting

PROVIDERS: tuple[AccountingProvider, ...] = (quickbooks_accounting, xero_accounting)


def company_accounting(db: Session, settings: Settings) -> tuple[AccountingProvider, str]:
    """The provider a sync can start from, else the one connected (failed, or waiting for a
    choice), else the first (QuickBooks), with what stands in its way (each asked once)."""
    # Held while the providers are asked: every ask below finds its row without a query.
    _held = ConnectionRepository(db).of_providers(accounting.provider for accounting in PROVIDERS)
    first: tuple[AccountingProvider, str] | None = None
    connected_first = sorted(PROVIDERS, key=lambda a: not holds_the_books(db, a.provider))
    for accounting in connected_first:
        problem = accounting.sync.problem(db, settings)
        if not problem:
            return accounting, ""
        first = first or (accounting, problem)
    assert first is not None
    return first


def company_accounting_state(db: Session, settings: Settings) -> AccountingState:
    """Whether "Sync all" can start from the company's books, and its latest run."""
    return accounting_state(db, *company_accounting(db, settings))
