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
from roofops.integrations.core.connections import ConnectionView
from roofops.integrations.core.runner import VendorSync, request_sync
from roofops.integrations.core.runs import is_alive, latest_run
from roofops.models.enums import Provider
from roofops.models.integration import SyncRun


class AccountingProvider(Protocol):
    provider: Provider
    label: str  # "QuickBooks"

    @property
    def sync(self) -> VendorSync[Any]:
        """How its books are read (the runner carries it out)."""
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
