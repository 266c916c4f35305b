"""roofops serve: the web app under uvicorn, after making sure the schema and an admin exist."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from roofops.cli.output import clean_errors, fail, make_console

if TYPE_CHECKING:
    from rich.console import Console

    from roofops.config import Settings

FIRST_ADMIN_EMAIL = "admin@roofops.local"
# log_config=None: uvicorn's records (access lines included) go through roofops' logging, which
# renders them as JSON in production and redacts secrets in URLs (roofops.logging).
SERVER_OPTIONS: dict[str, Any] = {
    "log_config": None,
    "server_header": False,
    "timeout_graceful_shutdown": 10,
}


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 in a container).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Web worker processes (default: ROOFOPS_WEB_WORKERS, else one per CPU core).",
        ),
    ] = None,
) -> None:
    """Serve the dashboard and API: one worker process per CPU core behind one port (run
    more replicas behind a load balancer to scale further)."""
    import uvicorn

    from roofops.cli.workers import APP, can_share_port, serve_workers
    from roofops.config import get_settings
    from roofops.health.metrics import require_metrics_token

    settings = get_settings()
    console = make_console()
    with clean_errors(console):
        require_metrics_token(settings)  # create_app checks too; here it reads as a sentence
        prepare_schema(settings, console)
        announce_first_admin(console, _sign_in_url(settings, host, port))
    options: dict[str, Any] = {
        "proxy_headers": settings.proxy_headers,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        **SERVER_OPTIONS,
    }
    count = workers or settings.web_worker_count
    if reload or count == 1 or not can_share_port():  # --reload restarts one process
        uvicorn.run(
            APP,
            factory=True,
            host=host,
            port=port,
            reload=reload,
            reload_includes=["*.py", "*.html"] if reload else None,
            **options,
        )
        return
    console.print(f"{count} web worker processes (ROOFOPS_WEB_WORKERS, --workers)")
    with clean_errors(console), shared_by_workers(settings):
        serve_workers(count, host, port, options)


@contextmanager
def shared_by_workers(settings: Settings) -> Iterator[None]:
    """What several worker processes must share, set up for them before they start (they read
    it from the environment): the metrics' files, and one process for the demo's fakes."""
    from roofops.health.metrics import MULTIPROCESS_DIR_ENV
    from roofops.sandbox.process import sandboxes_in_own_process

    with (
        tempfile.TemporaryDirectory(prefix="roofops-metrics-") as metrics_dir,
        sandboxes_in_own_process(settings) as sandbox_upstream,
    ):
        shared = {MULTIPROCESS_DIR_ENV: metrics_dir}
        if sandbox_upstream:
            shared["ROOFOPS_SANDBOX_UPSTREAM"] = sandbox_upstream
        os.environ.update(shared)
        try:
            yield
        finally:
            for name in shared:
                os.environ.pop(name, None)


def prepare_schema(settings: Settings, console: Console) -> None:
    """SQLite migrates itself (zero set-up); PostgreSQL must be migrated as an explicit step."""
    from roofops import schema
    from roofops.db import session_scope
    from roofops.health.service import health_service

    if settings.is_sqlite:
        schema.upgrade(settings.database_url)
        return
    with session_scope(settings.database_url) as db:
        migrations = health_service.migrations(db)
    if migrations["state"] == "behind":
        raise fail(
            console,
            f"The database schema is at {migrations['current']}, this release needs "
            f"{migrations['head']}. Take a backup, run `roofops db upgrade` once, then start "
            "the web replicas and workers.",
        )
    if migrations["state"] == "ahead":
        console.print(
            f"[yellow]The database schema ({migrations['current']}) is newer than this release "
            f"({migrations['head']}): starting anyway (rolling upgrade or image rollback).[/yellow]"
        )


def _sign_in_url(settings: Settings, host: str, port: int) -> str:
    """The configured public URL, else where this process listens."""
    if "base_url" in settings.model_fields_set:
        return settings.base_url
    return f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"  # noqa: S104


def announce_first_admin(console: Console, base_url: str) -> None:
    """On an empty database, create the first admin and show its password once, here only."""
    from roofops.auth.service import user_service
    from roofops.db import session_scope

    with session_scope() as db:
        password = user_service.ensure_first_admin(db, FIRST_ADMIN_EMAIL)
    if password is None:
        return
    console.print(f"\nFirst run: created an admin account. Sign in at {base_url} with")
    console.print(f"  e-mail:   {FIRST_ADMIN_EMAIL}\n  password: [bold]{password}[/bold]")
    console.print("This password is shown only once (change it: `roofops user set-password`).\n")
