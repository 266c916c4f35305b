"""After a books sync has written what the books say, our own invoices follow them.

Every accounting provider's sync calls :func:`settle_from_books` in its write transaction, after
``BooksUpdate.finish``: the paid amounts and statuses of our invoices change together with the
documents they come from, or (a failed sync) not at all. The changes are audited with the sync
as the actor.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.auth.principal import sync_principal
from roofops.financials.books import BooksUpdate
from roofops.invoice.payments import invoice_payments_service
from roofops.logging import get_logger

log = get_logger(__name__)


def settle_from_books(db: Session, update: BooksUpdate) -> int:
    """Our invoices' paid amounts and statuses from the books just written; how many moved."""
    db.flush()
    moved = invoice_payments_service.settle_from_books(
        db, update.provider, sync_principal(update.provider.label)
    )
    if moved:
        log.info("books.invoices.settled", provider=update.provider.value, invoices=moved)
    return moved
