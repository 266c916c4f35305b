"""Health and metrics: deliberately public (no secrets in the bodies); /metrics takes an
optional bearer token (``ROOFOPS_METRICS_TOKEN``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from roofops.dependencies import app_settings
from roofops.exceptions import NotAuthenticated
from roofops.health.metrics import Metrics
from roofops.health.service import health_service

router = APIRouter(tags=["health"], include_in_schema=False)


def read_only_db(request: Request) -> Iterator[Session]:
    """Probes only read: the session is always rolled back, even when the database broke."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


ReadOnlyDB = Annotated[Session, Depends(read_only_db, scope="function")]


@router.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready")
def ready(request: Request, db: ReadOnlyDB) -> JSONResponse:
    stale = app_settings(request).worker_stale_seconds
    readiness = health_service.readiness(db, worker_stale_seconds=stale)
    body: dict[str, Any] = {
        "status": readiness.status,
        "checks": readiness.checks,
        "version": readiness.version,
    }
    return JSONResponse(body, status_code=200 if readiness.serving else 503)


@router.get("/metrics")
def metrics(request: Request, db: ReadOnlyDB) -> Response:
    _check_metrics_token(request)
    instruments: Metrics = request.app.state.metrics
    body = instruments.render(health_service.heartbeat_age_seconds(db))
    return Response(body, media_type=instruments.content_type)


def _check_metrics_token(request: Request) -> None:
    token = app_settings(request).metrics_token
    if token is None:
        return
    expected = f"Bearer {token.get_secret_value()}".encode()
    if not secrets.compare_digest(request.headers.get("authorization", "").encode(), expected):
        raise NotAuthenticated("a valid metrics bearer token is required")
