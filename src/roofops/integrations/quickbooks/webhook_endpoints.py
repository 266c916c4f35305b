"""POST /api/v1/integrations/quickbooks/webhook: deliberately without a session or token.

Intuit cannot sign in; it signs the body instead. A delivery whose ``intuit-signature`` does not
verify is a 401 and nothing is stored (see inbox.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from roofops.config import Settings
from roofops.db import DB
from roofops.integrations.core.endpoints import RawBody
from roofops.integrations.quickbooks.inbox import receive

router = APIRouter(prefix="/integrations/quickbooks", tags=["integrations: QuickBooks"])


@router.post(
    "/webhook",
    summary="QuickBooks webhook receiver (signed by Intuit, no session)",
    description="Legacy `eventNotifications` and CloudEvents payloads. Verified with "
    "ROOFOPS_QB_WEBHOOK_VERIFIER_TOKEN; each new event is stored once and one incremental "
    "sync is queued.",
)
def webhook(
    request: Request,
    db: DB,
    body: RawBody,
    intuit_signature: Annotated[str | None, Header()] = None,
) -> dict[str, int]:
    settings: Settings = request.app.state.settings
    return {"new_events": receive(db, settings, body, intuit_signature)}
