"""The portal's pages (``/portal/...``); app.py includes ``portal_router``."""

from __future__ import annotations

from fastapi import APIRouter

portal_router = APIRouter(prefix="/portal", include_in_schema=False)

__all__ = ["portal_router"]
