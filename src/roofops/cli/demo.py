"""roofops demo: build (or reuse) a seeded Denver-metro roofing contractor and print a sign-in."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from sqlalchemy.orm import Session

    from roofops.demo.service import DemoSummary
    from roofops.demo.service import Progress as DemoProgress
    from roofops.models.forecast import ForecastRun

# Backtest origins of the demo's first forecast run (the nightly run's: settings), and how far
# back its earlier run is made (the forecast-vs-actual view's first data).
DEMO_BACKTEST_ORIGINS = 1
DEMO_PAST_RUN_DAYS = 28


def demo(
    *,
    size: Annotated[
        float, typer.Option(min=0.01, max=50.0, help="1.0 is ~3,000 jobs over three years.")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, size and as-of give the same data.")] = 42,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Last day of history, YYYY-MM-DD (today UTC).")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option(help="Wipe the existing demo company and build it again.")
    ] = False,
    reset_passwords: Annotated[
        bool,
        typer.Option(help="Reset every demo user's password and print them (signs them out)."),
    ] = False,
    forecast: Annotated[
        bool,
        typer.Option(help="Make a first forecast run if the database has none (the pages' data)."),
    ] = True,
) -> None:
    """Build the demo company in the configured database (or reuse it) and print a sign-in."""
    from roofops import schema
    from roofops.config import get_settings
    from roofops.db import session_scope
    from roofops.exceptions import RoofOpsError
    from roofops.sandbox.demo import build_demo

    settings = get_settings()
    console = Console()
    day = _parse_day(as_of)
    console.print("Migrating the database to the latest schema...")
    schema.upgrade()
    started = time.perf_counter()
    try:
        with _progress(console) as bars, session_scope() as db:
            summary = build_demo(
                db,
                size=size,
                seed=seed,
                as_of=day,
                rebuild=rebuild,
                reset_all_passwords=reset_passwords,
                progress=_Bars(bars),
            )
            built = time.perf_counter() - started
            first_run = first_forecast(db, day, _Bars(bars)) if forecast else None
    except RoofOpsError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    _report(console, summary, settings.base_url, built, reset=reset_passwords)
    if first_run is not None:
        _report_forecast(console, first_run)


def first_forecast(db: Session, day: date, bars: DemoProgress) -> ForecastRun | None:
    """First forecast runs so the forecast pages have data: one as of four weeks back (what
    it predicted is checked against what happened since: forecast vs actual), then one as of
    the demo's last day with one backtest origin instead of the nightly's few, as the build
    waits for it. Each run sees only the history known at its as-of day."""
    from roofops.forecast.service import forecast_service
    from roofops.models.forecast import ForecastTrigger

    if forecast_service.latest_succeeded(db) is not None:
        return None
    bars("forecast", 0, 2)
    earlier = day - timedelta(days=DEMO_PAST_RUN_DAYS)
    forecast_service.run_forecast(db, earlier, trigger=ForecastTrigger.DEMO, origins=0)
    bars("forecast", 1, 2)
    run = forecast_service.run_forecast(
        db, day, trigger=ForecastTrigger.DEMO, origins=DEMO_BACKTEST_ORIGINS
    )
    bars("forecast", 2, 2)
    return run


def _report_forecast(console: Console, run: ForecastRun) -> None:
    seconds = f"{run.duration_seconds or 0:.1f} s"
    if run.error:
        console.print(f"[red]First forecast run failed ({seconds}): {run.error}[/red]")
        return
    console.print(f"First forecast run as of {run.as_of}: {run.status.value} in {seconds}.")


def _parse_day(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from error


def _progress(console: Console) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


class _Bars:
    """Turns the service's (step, done, total) calls into one Rich bar per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=max(total, 1))
        self.progress.update(self.tasks[step], completed=done if total else 1)


def _report(
    console: Console, summary: DemoSummary, url: str, seconds: float, *, reset: bool
) -> None:
    if summary.reused:
        built = f"{summary.built_at:%Y-%m-%d %H:%M} UTC"
        console.print(f"Reusing the demo company built on {built} (size {summary.size:g}).")
    else:
        console.print(f"Built the demo company in {seconds:.1f} s (size {summary.size:g}).")
    console.print(_counts(summary))
    console.print(f"Database size: {summary.database_bytes / 1_000_000:.1f} MB")
    console.print(f"\nOpen [bold]{url}[/bold] and sign in:")
    _sign_ins(console, summary, reset=reset)


def _sign_ins(console: Console, summary: DemoSummary, *, reset: bool) -> None:
    """New or reset passwords (a hash cannot be shown again); a kept one is not reset."""
    shown = summary.users if reset else [summary.admin]
    for user in shown:
        if user.password:
            console.print(f"  {user.email:<34} password: [bold]{user.password}[/bold]")
    if summary.admin.password is None:
        console.print(
            f"  {summary.admin.email} with the password printed when the demo was first built "
            "(kept, so a signed-in browser stays signed in).\n"
            "  Lost it? `roofops demo --reset-passwords` sets and prints new ones."
        )
    elif not reset:
        console.print("  (the other roles' users: `roofops demo --reset-passwords` prints theirs)")


def _counts(summary: DemoSummary) -> Table:
    table = Table("what", "rows", title="Demo company")
    for name, count in summary.counts.items():
        table.add_row(name.replace("_", " "), f"{count:,}")
    return table
