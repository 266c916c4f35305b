"""The ``roofops`` command: serve, worker, db, user, demo, sync, invoices, reports, dispatch,
forecast, bench."""

from __future__ import annotations

import typer

from roofops.cli import bench as bench_commands
from roofops.cli import db as db_commands
from roofops.cli import demo as demo_commands
from roofops.cli import dispatch as dispatch_commands
from roofops.cli import forecast as forecast_commands
from roofops.cli import invoices as invoice_commands
from roofops.cli import portal as portal_commands
from roofops.cli import reports as reports_commands
from roofops.cli import serve as serve_commands
from roofops.cli import sync as sync_commands
from roofops.cli import user as user_commands
from roofops.cli import worker as worker_commands

app = typer.Typer(
    name="roofops",
    help="roofops: operations platform for roofing and exterior contractors.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def logs_to_stderr() -> None:
    """Every command logs to stderr, at the configured level and format: stdout is for what
    the command prints (a token, a report, JSON figures) and can be piped."""
    from roofops.config import get_settings
    from roofops.logging import configure_logging

    configure_logging(get_settings())


app.add_typer(db_commands.app, name="db")
app.add_typer(user_commands.app, name="user")
app.add_typer(bench_commands.app, name="bench")
app.add_typer(sync_commands.app, name="sync")
app.add_typer(invoice_commands.app, name="invoices")
app.add_typer(reports_commands.app, name="reports")
app.add_typer(dispatch_commands.app, name="dispatch")
app.add_typer(forecast_commands.app, name="forecast")
app.add_typer(portal_commands.app, name="portal")
app.command("serve")(serve_commands.serve)
app.command("worker")(worker_commands.worker)
app.command("demo")(demo_commands.demo)
