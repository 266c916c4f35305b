"""roofops sync: run an integration's sync now, in this process, and print how it went."""

from __future__ import annotations

from typing import Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console

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
    console.print(
        f"{run.status.value}: {run.requests} requests, {run.fetched:,} records fetched, "
        f"{run.created:,} created, {run.updated:,} updated, {run.unchanged:,} unchanged, "
        f"{run.failed:,} failed"
    )
    for error in errors[:20]:
        console.print(f"  {error.record_type} {error.external_id}: {error.message}")
    if run.error:
        raise fail(console, run.error)
