"""Who is looking at the portal: one customer, through one signed-in session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class PortalVisitor:
    """Every portal read and write is scoped by ``customer_id``: a job, invoice, photo or
    document of any other customer is "not found" (never "forbidden", which would confirm
    that the id exists)."""

    customer_id: uuid.UUID
    session_id: uuid.UUID
    csrf_token: str
    display_name: str
    email: str
