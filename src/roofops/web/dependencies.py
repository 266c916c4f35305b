"""Page dependencies: the signed-in principal plus the company's name, clock and currency
(the app's settings: roofops.dependencies)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Depends, Request

from roofops.auth.dependencies import CurrentPrincipal
from roofops.company.service import company_service
from roofops.db import DB
from roofops.notification.service import notification_service
from roofops.web.context import PageContext


def page_context(request: Request, db: DB, principal: CurrentPrincipal) -> PageContext:
    company = company_service.get(db)
    page = PageContext(
        principal=principal,
        company_name=company.name,
        time_zone=company.time_zone,
        currency=company.currency,
        count_unread=partial(notification_service.unread_count, db, principal),
    )
    request.state.page = page
    return page


Page = Annotated[PageContext, Depends(page_context)]
