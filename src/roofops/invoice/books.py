"""What the invoice domain asks of the accounting system, without knowing which one it is.

The composition root connects the real port (roofops.integrations.invoicing) at start-up; until
then, and in a company with no books connected, nothing is refused and nothing is called.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from roofops.models.invoice import Invoice


class InvoiceBooks(Protocol):
    def refuse_closed(self, db: Session, issue_date: date) -> None:
        """Raise (409, naming the date) when the books are locked through ``issue_date``."""
        ...

    def void(self, db: Session, invoice: Invoice) -> None:
        """Void a pushed invoice in the books first; raise with the vendor's message when
        the books refuse (then nothing changes here)."""
        ...


class NoBooks:
    """No accounting port connected: invoicing works on its own."""

    def refuse_closed(self, db: Session, issue_date: date) -> None:  # noqa: ARG002 (the port's)
        return None

    def void(self, db: Session, invoice: Invoice) -> None:  # noqa: ARG002 (the port's)
        return None
