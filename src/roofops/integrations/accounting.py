"""Which accounting system the company keeps its books in, behind the accounting port."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.integrations.core.accounting import AccountingProvider
from roofops.integrations.quickbooks.accounting import quickbooks_accounting

PROVIDERS: tuple[AccountingProvider, ...] = (quickbooks_accounting,)


def company_accounting(db: Session, settings: Settings) -> AccountingProvider:
    """The provider a sync can start from; the first one (QuickBooks) until one can."""
    for accounting in PROVIDERS:
        if not accounting.sync.problem(db, settings):
            return accounting
    return PROVIDERS[0]
