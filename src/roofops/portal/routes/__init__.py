"""The portal's pages (``/portal/...``); app.py includes ``portal_router``."""

from __future__ import annotations

from fastapi import APIRouter

from roofops.portal.routes import jobs, sign_in

portal_router = APIRouter(prefix="/portal", include_in_schema=False)
portal_router.include_router(sign_in.router)
portal_router.include_router(jobs.router)
# "/portal" itself: a path a sub-router cannot declare (FastAPI refuses an empty one there).
portal_router.add_api_route("", jobs.portal_root, methods=["GET"])

__all__ = ["portal_router"]
