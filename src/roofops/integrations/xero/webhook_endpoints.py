"""POST /api/v1/webhooks/xero: deliberately without a session or token; Xero signs the body.

Xero's rules (spec digest section 2.7): answer 200 with no body (and no cookie) to a correctly
signed delivery, 401 to a wrongly signed one, within 5 seconds. The intent-to-receive
handshake sends both kinds with an empty event list before a subscription goes live.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from roofops.config import Settings
from roofops.db import DB
from roofops.exceptions import NotAuthenticated
from roofops.integrations.core.endpoints import RawBody
from roofops.integrations.xero.inbox import receive

router = APIRouter(prefix="/webhooks", tags=["integrations: Xero"])


@router.post(
    "/xero",
    summary="Xero webhook receiver (signed by Xero, no session)",
    description="Verified with ROOFOPS_XERO_WEBHOOK_KEY (`x-xero-signature`). 200 with an "
    "empty body when the signature verifies (each new INVOICE or CONTACT event of the "
    "connected organisation is stored once and one incremental sync is queued), 401 with an "
    "empty body when it does not. Passes Xero's intent-to-receive check.",
    response_class=Response,
    responses={200: {"description": "verified (no body)"}, 401: {"description": "bad signature"}},
)
def xero_webhook(
    request: Request,
    db: DB,
    body: RawBody,
    x_xero_signature: Annotated[str | None, Header()] = None,
) -> Response:
    settings: Settings = request.app.state.settings
    try:
        receive(db, settings, body, x_xero_signature)
    except NotAuthenticated:
        return Response(status_code=401)  # Xero wants no body either way
    return Response(status_code=200)
