"""roofops forecast: run every forecast model now (as the nightly job does) and show the
latest run with its metrics. ``--json`` prints the API's shapes.

Runs here use the configured threads (ROOFOPS_FORECAST_THREADS) and backtest origins
(ROOFOPS_FORECAST_BACKTEST_ORIGINS); docs/forecasting.md.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

    from roofops.forecast.schemas import RunDetailOut
    from roofops.models.forecast import ForecastRun

app = typer.Typer(no_args_is_help=True, help="Forecasts: run the models now, show the latest run.")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (the API's fields).")]


@app.command()
def run(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Forecast as of this day, YYYY-MM-DD (today).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Run every forecast model and store the run (exit 1 when it fails, with why)."""
    from roofops.company.service import company_service
    from roofops.db import session_scope
    from roofops.forecast.service import forecast_service
    from roofops.models.forecast import ForecastRunStatus, ForecastTrigger

    console = make_console(stderr=as_json)
    day = _day(console, as_of)
    with clean_errors(console), session_scope() as db:
        with console.status("forecasting (completion, demand, revenue, trends, backtests)..."):
            made = forecast_service.run_forecast(
                db, day or company_service.today(db), trigger=ForecastTrigger.CLI
            )
        shown = _detail(db, made)
    _print(console, shown, as_json)
    if shown.status != ForecastRunStatus.SUCCEEDED:
        raise typer.Exit(1)


@app.command()
def show(as_json: AsJson = False) -> None:
    """The latest run: its status, what it stored and its models' metrics."""
    from roofops.db import session_scope
    from roofops.forecast.service import forecast_service

    console = make_console(stderr=as_json)
    with clean_errors(console), session_scope() as db:
        latest = forecast_service.latest_run(db)
        if latest is None:
            raise fail(console, "no forecast run yet: run roofops forecast run")
        shown = _detail(db, latest)
    _print(console, shown, as_json)


def _detail(db: Session, made: ForecastRun) -> RunDetailOut:
    from roofops.forecast.schemas import RunDetailOut, RunOut
    from roofops.forecast.service import forecast_service

    return RunDetailOut.of(RunOut.model_validate(made), forecast_service.counts(db, made.id))


def _print(console: Console, shown: RunDetailOut, as_json: bool) -> None:
    from rich.table import Table

    if as_json:
        typer.echo(shown.model_dump_json(indent=2))
        return
    seconds = f" in {shown.duration_seconds:.1f} s" if shown.duration_seconds is not None else ""
    console.print(
        f"Forecast run {shown.id} as of {shown.as_of} ({shown.trigger.value}): "
        f"{shown.status.value}{seconds}, {shown.threads} thread(s); "
        f"{shown.job_forecasts} job windows, {shown.series_points} series points"
    )
    if shown.error:
        console.print(f"[red]{shown.error}[/red]")
    table = Table("model", "kind", "metric", "value")
    for entry in shown.metrics:
        for name, value in entry.metrics.items():
            table.add_row(entry.model, entry.kind, name, "-" if value is None else f"{value:g}")
    if table.rows:
        console.print(table)


def _day(console: Console, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise fail(console, f"not a date: {text} (YYYY-MM-DD)") from error
