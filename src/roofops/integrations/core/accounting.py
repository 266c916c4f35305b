"""The accounting port: what the rest of roofops needs of the system a company keeps its
books in (QuickBooks Online today, Xero next), the same whichever it is.

Connecting is each vendor's own (their consent screens differ). Above this port everything is
alike: whether a sync can start and why not, requesting one, its latest run. A provider's sync
writes what the books say through financials' write API (``roofops.financials.books``), so
financials never knows which provider it was. Pushing invoices and reading payments join this
port with the finance capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.exceptions import Conflict
from roofops.integrations.core.connections import ConnectionView
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.core.runner import VendorSync, request_sync
from roofops.integrations.core.runs import is_alive, latest_run
from roofops.models.enums import Provider
from roofops.models.integration import HOLDS_THE_BOOKS, IntegrationConnection, SyncRun

# The systems a company may keep its books in, as people spell them: one at a time.
BOOKS_PROVIDERS = {Provider.QUICKBOOKS: "QuickBooks", Provider.XERO: "Xero"}


class OtherBooksConnected(Conflict):
    code = "accounting_already_connected"


def holds_the_books(db: Session, provider: Provider) -> bool:
    return row_holds_the_books(ConnectionRepository(db).by_provider(provider))


def row_holds_the_books(row: IntegrationConnection | None) -> bool:
    return row is not None and row.status in HOLDS_THE_BOOKS


def books_connected_elsewhere(db: Session, provider: Provider) -> str:
    """The label of the other accounting system this company is connected to, or ""."""
    for other, label in BOOKS_PROVIDERS.items():
        if other != provider and holds_the_books(db, other):
            return label
    return ""


def refuse_second_books(db: Session, provider: Provider) -> None:
    """A company connects QuickBooks or Xero: two sets of books would fight over every figure."""
    if other := books_connected_elsewhere(db, provider):
        wanted = BOOKS_PROVIDERS[provider]
        raise OtherBooksConnected(
            f"{other} is already connected: this company keeps its books in {other}. "
            f"Disconnect {other} first to connect {wanted} instead."
        )


class AccountingProvider(Protocol):
    provider: Provider
    label: str  # "QuickBooks"

    @property
    def sync(self) -> VendorSync[Any]:
        """How its books are read (the runner carries it out)."""
        ...

    def problem_of(self, connection: IntegrationConnection | None, settings: Settings) -> str:
        """What its sync's ``problem()`` would say, judged from its connection row (read once
        for every provider a page asks about)."""
        ...

    def view(self, db: Session, settings: Settings) -> ConnectionView:
        """The connection as it stands (never a token)."""
        ...


@dataclass(frozen=True)
class AccountingState:
    """Whether a sync from the books can start, what someone has to do if not, and the latest
    run (``active`` while it still works)."""

    provider: Provider
    label: str
    problem: str
    last_run: SyncRun | None

    @property
    def ready(self) -> bool:
        return not self.problem

    @property
    def active(self) -> bool:
        return self.last_run is not None and is_alive(self.last_run)


def accounting_state(db: Session, accounting: AccountingProvider, problem: str) -> AccountingState:
    """``problem``: what its sync's ``problem()`` said (the caller has asked it already)."""
    last = latest_run(db, accounting.provider)
    return AccountingState(accounting.provider, accounting.label, problem, last)


def request_books_sync(
    db: Session, settings: Settings, accounting: AccountingProvider, *, full: bool, by: str
) -> SyncRun:
    """A sync of the books, refused (409) before any run exists when it could only fail."""
    return request_sync(db, settings, accounting.sync, full=full, triggered_by=by)
