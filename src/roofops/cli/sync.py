"""roofops sync: run an integration's sync now, in this process, and print how it went."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from roofops.cli.output import clean_errors, fail, make_console

if TYPE_CHECKING:
    from roofops.integrations.core.runner import VendorSync

app = typer.Typer(help="Run a sync now (the schedule and Sync now buttons do the same).")
FULL_HELP = "Re-read everything instead of what changed (and drop what the vendor no longer has)."


@app.command("jobnimbus")
def jobnimbus(full: Annotated[bool, typer.Option("--full", help=FULL_HELP)] = False) -> None:
    """Sync jobs, contacts and stage history from JobNimbus."""
    from roofops.integrations.jobnimbus.service import jobnimbus_sync

    _run(jobnimbus_sync, full=full)


@app.command("quickbooks")
def quickbooks(full: Annotated[bool, typer.Option("--full", help=FULL_HELP)] = False) -> None:
    """Refresh job figures from QuickBooks Online (the Profit page's Sync all does the same)."""
    from roofops.integrations.quickbooks.sync_service import quickbooks_sync

    _run(quickbooks_sync, full=full)


@app.command("xero")
def xero(full: Annotated[bool, typer.Option("--full", help=FULL_HELP)] = False) -> None:
    """Refresh job figures from Xero (the Profit page's Sync all does the same)."""
    from roofops.integrations.xero.sync_service import xero_sync

    _run(xero_sync, full=full)


def _run(sync: VendorSync[Any], *, full: bool) -> None:
    """The run's outcome, its first refused records, and exit 1 when it failed."""
    from roofops.config import get_settings
    from roofops.db import session_factory
    from roofops.integrations.core.runner import run_now
    from roofops.integrations.core.runs import run_with_errors
    from roofops.sandbox.mount import sandboxes_served

    settings = get_settings()
    console = make_console()
    sessions = session_factory(settings.database_url)
    with (
        clean_errors(console),
        console.status(f"syncing from {sync.label}..."),
        sandboxes_served(sessions, settings) as served,
    ):
        if served:
            console.print(f"The demo's sandbox {sync.label} is served by this command.")
        run_id = run_now(sessions, settings, sync, full=full, triggered_by="command line")
    with sessions() as db:
        run, errors = run_with_errors(db, sync.provider, run_id, limit=20)
    console.print(
        f"{run.status.value}: {run.requests} requests, {run.fetched:,} records fetched, "
        f"{run.created:,} created, {run.updated:,} updated, {run.unchanged:,} unchanged, "
        f"{run.failed:,} failed"
        + (f", {run.warnings:,} notes about the vendor's data" if run.warnings else "")
    )
    for error in errors:
        console.print(f"  {error.record_type} {error.external_id}: {error.message}")
    if run.error:
        raise fail(console, run.error)
