"""Above the accounting port: whichever system holds the books is the one the Profit page's
"Sync all" names, and says what stands in its way."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.integrations.accounting import company_accounting_state
from roofops.models import ConnectionStatus, IntegrationConnection, Provider


def _xero(db: Session, status: ConnectionStatus, tenant: str = "") -> None:
    connection = IntegrationConnection(provider=Provider.XERO, status=status)
    connection.account_id, connection.last_error = tenant, ""
    db.add(connection)
    db.flush()


def test_nothing_connected_names_quickbooks(db: Session, settings: Settings) -> None:
    state = company_accounting_state(db, settings)
    assert (state.label, state.ready) == ("QuickBooks", False)


def test_a_connected_xero_is_the_books(db: Session, settings: Settings) -> None:
    _xero(db, ConnectionStatus.CONNECTED, "tenant-1")
    state = company_accounting_state(db, settings)
    assert (state.label, state.ready, state.provider) == ("Xero", True, Provider.XERO)


def test_a_failed_or_undecided_xero_says_its_own_problem(db: Session, settings: Settings) -> None:
    _xero(db, ConnectionStatus.CONNECTED)
    state = company_accounting_state(db, settings)
    assert state.label == "Xero"
    assert "choose one" in state.problem
