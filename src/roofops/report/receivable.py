"""One invoice that counts in the finance reports and the KPIs: from the books or, not in the
books yet, from roofops (read by roofops.report.repository, used by reports and KPIs alike)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Receivable:
    """One invoice that counts, from the books or (not in the books yet) from roofops."""

    source: str  # "books" or "roofops"
    number: str
    job_id: uuid.UUID | None
    payer: str  # an InvoicePayer value, or OTHER_PAYER
    kind: str  # an InvoiceKind value when roofops raised it, else ""
    dated: date | None  # the books' txn date, or our issue date
    due: date | None  # the books' due date (its txn date when it has none), or ours
    total_cents: int
    open_cents: int
