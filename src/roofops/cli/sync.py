"""roofops sync: run an integration's sync now, in this process, and print how it went."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console

if TYPE_CHECKING:
    from rich.console import Console

    from roofops.models.integration import SyncRun, SyncRunError

app = typer.Typer(help="Run a sync now (the schedule and Sync now buttons do the same).")


@app.command("jobnimbus")
def jobnimbus(
    full: Annotated[
        bool, typer.Option("--full", help="Re-read everything instead of what changed.")
    ] = False,
) -> None:
    """Sync jobs, contacts and stage history from JobNimbus."""
    from roofops.config import get_settings
    from roofops.db import session_factory
    from roofops.integrations.jobnimbus.service import jobnimbus_service
    from roofops.logging import configure_logging

    settings = get_settings()
    configure_logging(settings)
    console = make_console()
    sessions = session_factory(settings.database_url)
    with clean_errors(console), console.status("syncing from JobNimbus..."):
        run_id = jobnimbus_service.sync(sessions, settings, full=full, triggered_by="command line")
    with sessions() as db:
        run, errors = jobnimbus_service.run(db, run_id)
    _report(console, run, errors[:20])


def _report(console: Console, run: SyncRun, errors: list[SyncRunError]) -> None:
    """The run's outcome, its first refused records, and exit 1 when it failed."""
    console.print(
        f"{run.status.value}: {run.requests} requests, {run.fetched:,} records fetched, "
        f"{run.created:,} created, {run.updated:,} updated, {run.unchanged:,} unchanged, "
        f"{run.failed:,} failed"
    )
    for error in errors:
        console.print(f"  {error.record_type} {error.external_id}: {error.message}")
    if run.error:
        raise fail(console, run.error)


@app.command("quickbooks")
def quickbooks(
    full: Annotated[
        bool, typer.Option("--full", help="Re-read every document instead of what changed.")
    ] = False,
) -> None:
    """Refresh job figures from QuickBooks Online (the Profit page's Sync all does the same)."""
    from roofops.config import get_settings
    from roofops.db import session_factory
    from roofops.financials.service import financials_service
    from roofops.integrations.core.runs import open_run
    from roofops.integrations.quickbooks.connection import quickbooks_connection
    from roofops.integrations.quickbooks.sync_service import PROVIDER, quickbooks_sync_service
    from roofops.logging import configure_logging
    from roofops.models.enums import SyncKind

    settings = get_settings()
    configure_logging(settings)
    console = make_console()
    sessions = session_factory(settings.database_url)
    kind = SyncKind.FULL if full else SyncKind.INCREMENTAL
    with clean_errors(console), console.status("syncing from QuickBooks..."):
        with sessions.begin() as db:
            run_id = open_run(db, PROVIDER, kind, triggered_by="command line").id
        quickbooks_sync_service.sync(
            sessions,
            lambda: quickbooks_connection.client(sessions, settings),
            full=full,
            run_id=run_id,
        )
    with sessions() as db:
        run, errors = financials_service.sync_run(db, run_id)
    _report(console, run, errors[:20])
