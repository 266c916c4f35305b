"""The ASGI application: JSON API, dashboard pages, health and metrics, one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from roofops import __version__
from roofops.api import api_router
from roofops.composition import register_background_work
from roofops.config import Settings, get_settings
from roofops.db import session_factory as default_session_factory
from roofops.errors import install_error_handlers
from roofops.health.endpoints import router as health_router
from roofops.health.metrics import Metrics, require_metrics_token
from roofops.health.middleware import MetricsMiddleware
from roofops.kit.heap import settle_heap
from roofops.logging import configure_logging
from roofops.middleware import (
    BodyLimitMiddleware,
    CrashGuardMiddleware,
    InputGuardMiddleware,
    SecurityHeadersMiddleware,
    SQLiteWriteQueueMiddleware,
)
from roofops.portal.routes import portal_router
from roofops.sandbox.mount import SANDBOX_PREFIX, mount_sandboxes
from roofops.sandbox.process import SandboxProxy
from roofops.web.routes import STATIC_DIR, page_router
from roofops.worker.runtime import start_runtime


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    *,
    run_background: bool = True,
) -> FastAPI:
    """Build the app; tests pass their own session factory and turn background work off."""
    settings = settings or get_settings()
    configure_logging(settings)
    require_metrics_token(settings)
    # Requests enqueue tasks by name; enqueue() checks the name against the registry.
    register_background_work()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = start_runtime(settings, role="web") if run_background else None
        app.state.runtime = runtime
        settle_heap()
        try:
            yield
        finally:
            if runtime is not None:
                runtime.stop()

    app = FastAPI(
        title="roofops",
        version=__version__,
        description="Operations platform for roofing and exterior contractors.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or default_session_factory(settings.database_url)
    install_error_handlers(app)
    app.state.metrics = Metrics()
    # Each add wraps the ones before: the write queue is innermost, metrics outermost.
    if settings.is_sqlite:
        app.add_middleware(SQLiteWriteQueueMiddleware, exempt_prefixes=(SANDBOX_PREFIX,))
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        body_limit=settings.max_json_body_bytes,
        upload_limit=settings.max_upload_bytes,
    )
    app.add_middleware(CrashGuardMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.cookie_secure)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.include_router(health_router)
    app.include_router(api_router)
    app.include_router(page_router)
    app.include_router(portal_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # A demo database gets its fake JobNimbus and QuickBooks (see roofops.sandbox), here or, when
    # several workers serve one demo, in the one process that holds them.
    if settings.sandbox_upstream:
        app.mount(SANDBOX_PREFIX.rstrip("/"), SandboxProxy(settings.sandbox_upstream))
    else:
        mount_sandboxes(app, app.state.session_factory, settings)
    return app
