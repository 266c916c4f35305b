"""The portal's pages (``/portal/...``); app.py includes ``portal_router``."""

from __future__ import annotations

from fastapi import APIRouter

from roofops.portal.routes import sign_in

portal_router = APIRouter(prefix="/portal", include_in_schema=False)
portal_router.include_router(sign_in.router)

__all__ = ["portal_router"]
