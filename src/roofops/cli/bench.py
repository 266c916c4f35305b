"""roofops bench: measured figures of the capabilities that have a performance target."""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from roofops.cli.output import make_console

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console
    from sqlalchemy.orm import Session, sessionmaker

    from roofops.config import Settings
    from roofops.demo.records import DemoData
    from roofops.integrations.core.runner import VendorSync
    from roofops.integrations.jobnimbus.client import JobNimbusClient
    from roofops.integrations.quickbooks.sync_service import QuickBooksSync
    from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore
    from roofops.sandbox.quickbooks.fake import FakeQuickBooks

app = typer.Typer(help="Benchmarks: each prints its figures (or one JSON object with --json).")
BENCH_KEY = "bench-jobnimbus-key"
BENCH_REALM = "9130350000000000"
BENCH_SEED = 42
BENCH_AS_OF = date(2025, 6, 1)


@dataclass(frozen=True)
class SyncFigures:
    requests: int
    records: int
    seconds: float


@app.command("crm-sync")
def crm_sync(
    jobs: Annotated[int, typer.Option(min=1, max=100_000, help="Jobs in the fake CRM.")] = 5000,
    changed: Annotated[int, typer.Option(min=0, help="Jobs changed before the second sync.")] = 50,
    latency: Annotated[float, typer.Option(help="Seconds added to every fake request.")] = 0.1,
    database_url: Annotated[
        str | None, typer.Option(help="Database to sync into (default: a fresh SQLite file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A full then an incremental JobNimbus sync against the fake CRM over real HTTP."""
    from roofops.integrations.jobnimbus.service import JobNimbusSync
    from roofops.sandbox.jobnimbus.demo_data import demo_store
    from roofops.sandbox.jobnimbus.fake import create_fake_app, serve_fake

    console = make_console()
    with console.status("building the fake CRM..."):
        store = demo_store(jobs)
    app_ = create_fake_app(store, api_key=BENCH_KEY)
    app_.state.faults.latency = latency
    with tempfile.TemporaryDirectory() as scratch, serve_fake(app_) as url:
        sessions, settings = _bench_database(database_url, Path(scratch))
        factory = _client_factory()
        _connect(sessions, settings, url, factory)
        sync = JobNimbusSync(factory)
        full = _timed_sync(sessions, settings, sync, full=False)  # the first: a full read
        _change_jobs(store, changed)
        incremental = _timed_sync(sessions, settings, sync, full=False)
    title = f"JobNimbus sync: {jobs:,} jobs, then {changed:,} changed"
    _print(console, {"full": full, "incremental": incremental}, title, as_json)


@app.command("api")
def api(
    concurrency: Annotated[int, typer.Option(min=1, max=200, help="Readers at once.")] = 10,
    seconds: Annotated[float, typer.Option(min=1, help="How long the load runs.")] = 30.0,
    size: Annotated[float, typer.Option(min=0.05, max=50, help="Demo company size.")] = 1.0,
    database_url: Annotated[
        str | None, typer.Option(help="Database to serve (default: a fresh SQLite file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Readers and a few writers against the demo company served by `roofops serve`:
    p50/p95/p99 per route."""
    from roofops.cli.bench_api import run_bench

    console = make_console()
    with tempfile.TemporaryDirectory() as scratch, console.status("building and serving..."):
        figures = run_bench(
            concurrency=concurrency,
            seconds=seconds,
            size=size,
            database_url=database_url,
            scratch=Path(scratch),
        )
    if as_json:
        print(json.dumps(figures))
        return
    _print_latencies(console, figures)


@app.command("dashboard")
def dashboard(
    size: Annotated[float, typer.Option(min=0.05, max=50, help="Demo company size.")] = 10.0,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="A PostgreSQL server to build on (in a scratch database, dropped afterwards); "
            "default: a fresh SQLite file."
        ),
    ] = None,
    requests: Annotated[int, typer.Option(min=1, max=10_000, help="Timed requests a route.")] = 50,
    subscribers: Annotated[int, typer.Option(min=1, max=5000, help="SSE subscribers.")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The command center's, executive's and performance endpoints' server time (p50/p95) on
    the demo company, and one live event's delivery to many SSE subscribers."""
    from roofops.cli.bench_dashboard import print_dashboard, run_dashboard_bench

    console = make_console()
    with tempfile.TemporaryDirectory() as scratch, console.status("preparing...") as status:
        figures = run_dashboard_bench(
            size=size,
            database_url=database_url,
            requests=requests,
            subscribers=subscribers,
            scratch=Path(scratch),
            progress=status.update,
        )
    if as_json:
        print(json.dumps(figures))
        return
    print_dashboard(console, figures)


@app.command("invoicing")
def invoicing(
    provider: Annotated[
        str, typer.Option(help="quickbooks or xero: the fake the invoices are pushed to.")
    ] = "quickbooks",
    invoices: Annotated[int, typer.Option(min=1, max=20_000, help="Invoices to push.")] = 500,
    lost_responses: Annotated[
        float,
        typer.Option(min=0.0, max=0.9, help="Share of writes that commit and lose their answer."),
    ] = 0.1,
    database_url: Annotated[
        str | None, typer.Option(help="Database to invoice in (default: a fresh SQLite file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Invoices for demo jobs pushed to the fake books over real HTTP while answers are lost,
    writes stall past the timeout and 429s come: what the books hold, counted."""
    from roofops.cli.bench_invoicing import run_invoicing_bench

    if provider not in ("quickbooks", "xero"):
        raise typer.BadParameter("quickbooks or xero", param_hint="--provider")
    console = make_console()
    with tempfile.TemporaryDirectory() as scratch, console.status("raising and pushing..."):
        figures = run_invoicing_bench(
            provider="xero" if provider == "xero" else "quickbooks",
            invoices=invoices,
            lost_responses=lost_responses,
            database_url=database_url,
            scratch=Path(scratch),
        )
    if as_json:
        print(json.dumps(asdict(figures)))
        return
    _print_invoicing(console, provider, lost_responses, asdict(figures))


def _print_invoicing(console: Console, provider: str, lost: float, figures: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"Invoices pushed to {provider}, {lost:.0%} of answers lost")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}" if isinstance(value, int) else f"{value:.2f}")
    console.print(table)
    exact = figures["duplicates"] == 0 and figures["missing"] == 0 and figures["failed"] == 0
    console.print(f"exactly once: {'yes' if exact else 'NO'}")


def _print_latencies(console: Console, figures: dict[str, Any]) -> None:
    from rich.table import Table

    title = f"API and pages under load: {figures['database']}, demo size {figures['size']:g}"
    table = Table(title=f"{title}, {figures['concurrency']} readers")
    for column in ("route", "requests", "p50 ms", "p95 ms", "p99 ms", "errors"):
        table.add_column(column, justify="left" if column == "route" else "right")
    for route in figures["routes"]:
        table.add_row(
            route["path"],
            f"{route['requests']:,}",
            f"{route['p50_ms']:.1f}",
            f"{route['p95_ms']:.1f}",
            f"{route['p99_ms']:.1f}",
            str(route["errors"]),
        )
    console.print(table)


@app.command("accounting-sync")
def accounting_sync(
    jobs: Annotated[int, typer.Option(min=1, max=100_000, help="Jobs in the company.")] = 10000,
    changed: Annotated[int, typer.Option(min=0, help="Jobs changed in the books.")] = 100,
    latency: Annotated[float, typer.Option(help="Seconds added to every fake request.")] = 0.1,
    database_url: Annotated[
        str | None, typer.Option(help="Database to sync into (default: a fresh SQLite file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A full then an incremental QuickBooks sync against the fake books over real HTTP."""
    from roofops.sandbox.quickbooks.books import books_for_jobs
    from roofops.sandbox.quickbooks.changes import change_jobs
    from roofops.sandbox.quickbooks.fake import FakeQuickBooks
    from roofops.sandbox.quickbooks.store import FakeClock
    from roofops.sandbox.server import serving

    console = make_console()
    clock = FakeClock(datetime.combine(BENCH_AS_OF, time_of_day(9), UTC))
    fake = FakeQuickBooks(clock=clock)
    with console.status("building the company and its books..."):
        data, company = books_for_jobs(jobs, BENCH_SEED, BENCH_AS_OF, clock=clock)
    fake.add_company(BENCH_REALM, company.books)
    fake.faults.latency = latency
    with tempfile.TemporaryDirectory() as scratch, serving(fake.app()) as url:
        sessions, settings = _bench_database(database_url, Path(scratch))
        _load_jobs(sessions, data)
        sync = _qbo_sync(fake, url)
        full = _timed_sync(sessions, settings, sync, full=True)
        clock.advance(60)
        change_jobs(company, changed)
        incremental = _timed_sync(sessions, settings, sync, full=False)
    figures = {"full": full, "incremental": incremental}
    _print(console, figures, f"QuickBooks sync: {jobs:,} jobs, then {changed:,} changed", as_json)
    if not as_json:
        _print_targets(console, full, incremental)


def _load_jobs(sessions: sessionmaker[Session], data: DemoData) -> None:
    from roofops.demo.service import demo_service

    with sessions.begin() as db:
        demo_service.insert_rows(db, data)


def _qbo_sync(fake: FakeQuickBooks, url: str) -> QuickBooksSync:
    """The ordinary sync, with a client that holds a token of the fake's (no OAuth dance)."""
    from roofops.integrations.quickbooks.client import QuickBooksClient
    from roofops.integrations.quickbooks.sync_service import QuickBooksSync

    token = str(fake.issue_tokens(BENCH_REALM)["access_token"])
    return QuickBooksSync(
        lambda _sessions, _settings: QuickBooksClient(BENCH_REALM, lambda: token, base_url=url)
    )


def _timed_sync(
    sessions: sessionmaker[Session], settings: Settings, sync: VendorSync[Any], *, full: bool
) -> SyncFigures:
    from roofops.integrations.core.runner import run_now

    started = time.perf_counter()
    run_id = run_now(sessions, settings, sync, full=full, triggered_by="bench")
    return _figures_of(sessions, run_id, time.perf_counter() - started)


def _print_targets(console: Console, full: SyncFigures, incremental: SyncFigures) -> None:
    budget = -(-full.records // 1000) + 10
    console.print(
        f"targets: full <= ceil({full.records:,} / 1000) + 10 = {budget} requests "
        f"({'met' if full.requests <= budget else 'MISSED'}); incremental <= 5 "
        f"({'met' if incremental.requests <= 5 else 'MISSED'})"
    )


def _bench_database(url: str | None, scratch: Path) -> tuple[sessionmaker[Session], Settings]:
    from roofops import schema
    from roofops.config import Settings
    from roofops.db import session_factory
    from roofops.kit.crypto import new_fernet_key

    url = url or f"sqlite:///{scratch / 'bench.db'}"
    schema.upgrade(url)
    settings = Settings(database_url=url, data_dir=scratch, encryption_keys=new_fernet_key())
    return session_factory(url), settings


def _client_factory() -> Callable[[str, str], JobNimbusClient]:
    from roofops.integrations.jobnimbus.client import JobNimbusClient
    from roofops.integrations.jobnimbus.service import SYNC_RETRY

    def factory(api_key: str, base_url: str) -> JobNimbusClient:
        return JobNimbusClient(api_key, base_url=base_url, retry=SYNC_RETRY)

    return factory


def _connect(
    sessions: sessionmaker[Session],
    settings: Settings,
    url: str,
    factory: Callable[[str, str], JobNimbusClient],
) -> None:
    from roofops.auth.principal import SYSTEM
    from roofops.integrations.jobnimbus.service import jobnimbus_service

    with sessions.begin() as db:
        jobnimbus_service.connect(
            db, settings, SYSTEM, BENCH_KEY, base_url=url, client_factory=factory
        )


def _figures_of(sessions: sessionmaker[Session], run_id: uuid.UUID, seconds: float) -> SyncFigures:
    from roofops.models.enums import SyncRunStatus
    from roofops.models.integration import SyncRun

    with sessions() as db:
        run = db.get(SyncRun, run_id)
        assert run is not None
        if run.status != SyncRunStatus.SUCCEEDED:
            raise typer.BadParameter(f"the sync did not succeed: {run.status} {run.error}")
        return SyncFigures(run.requests, run.fetched, round(seconds, 2))


def _change_jobs(store: FakeJobNimbusStore, count: int) -> None:
    """Move ``count`` jobs, spread over the list, to another status of their workflow."""
    jobs = store.records("jobs")
    step = max(1, len(jobs) // max(count, 1))
    for job in jobs[::step][:count]:
        status = "Cancelled" if job.get("status_name") != "Cancelled" else "Lost"
        store.change_status(job["jnid"], status)


def _print(console: Console, figures: dict[str, SyncFigures], title: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({name: asdict(value) for name, value in figures.items()}))
        return
    from rich.table import Table

    table = Table(title=title)
    for column in ("sync", "requests", "records", "seconds"):
        table.add_column(column, justify="left" if column == "sync" else "right")
    for name, value in figures.items():
        table.add_row(name, f"{value.requests:,}", f"{value.records:,}", f"{value.seconds:.2f}")
    console.print(table)


@app.command("schedule")
def schedule(
    *,
    jobs: Annotated[int, typer.Option(min=1, max=5000, help="Jobs to schedule.")] = 300,
    crews: Annotated[int, typer.Option(min=1, max=200, help="Production crews.")] = 15,
    days: Annotated[int, typer.Option(min=5, max=130, help="Working days in the horizon.")] = 30,
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Seconds for the solver (the re-plan gets 4).")
    ] = 30.0,
    seed: Annotated[int, typer.Option(help="Instance and solver seed.")] = BENCH_SEED,
    workers: Annotated[int, typer.Option(min=1, max=64, help="CP-SAT workers.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A generated instance scheduled by CP-SAT and by the earliest-due-date greedy, then a
    crew out for two days re-planned: objective, bound, gap, times and jobs moved."""
    from roofops.cli.bench_schedule import ScheduleBenchSize, run_schedule_bench

    console = make_console()
    size = ScheduleBenchSize(jobs, crews, days, time_limit, seed, workers)
    with console.status("scheduling, then re-planning..."):
        figures = run_schedule_bench(size)
    if as_json:
        print(json.dumps(figures))
        return
    _print_schedule(console, size, figures)


def _print_schedule(console: Console, size: Any, figures: dict[str, Any]) -> None:
    from rich.table import Table

    title = f"Schedule: {size.jobs} jobs, {size.crews} crews, {size.days} working days"
    table = Table(title=f"{title}, {size.time_limit:g} s, {size.workers} workers")
    for column in ("plan", "objective", "late days", "weighted lateness", "travel km", "idle"):
        table.add_column(column, justify="left" if column == "plan" else "right")
    for name, objective in (
        ("CP-SAT", figures["objective"]),
        ("greedy EDD", figures["greedy_objective"]),
    ):
        key = "solver" if name == "CP-SAT" else "greedy"
        table.add_row(
            name,
            f"{objective:,}",
            f"{figures[f'{key}_late_days']:,}",
            f"{figures[f'{key}_weighted_lateness']:,}",
            f"{figures[f'{key}_travel_km']:,}",
            f"{figures[f'{key}_idle']:,}",
        )
    console.print(table)
    console.print(
        f"bound {figures['bound']:,}, gap {figures['gap_pct']:.2f} % ({figures['status']}) "
        f"in {figures['seconds']:.1f} s; plan check violations: {figures['violations']}"
    )
    console.print(
        f"re-plan ({figures['event']}): {figures['replan_seconds']:.2f} s, "
        f"{figures['affected_jobs']} jobs affected, {figures['moved_pct']:.1f} % of the other "
        "jobs moved"
    )


@app.command("routing")
def routing(
    instances: Annotated[
        Path, typer.Option(exists=True, file_okay=False, help="Folder of Solomon .txt files.")
    ],
    bks: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="CSV: instance, dimacs_distance_bks.")
    ],
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds per instance and solver.")],
    peers: Annotated[bool, typer.Option("--peers", help="Also OR-Tools and VROOM.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The routing engine on Solomon VRPTW files: vehicles, DIMACS distance, gap to the
    best-known and seconds per instance, then the mean gap (and the same for the peers)."""
    from roofops.cli.bench_routing import run_routing_bench

    console = make_console(stderr=as_json)
    with console.status("routing...") as status:
        figures = run_routing_bench(instances, bks, time_limit, peers=peers, progress=status.update)
    if as_json:
        print(json.dumps(figures))
    else:
        _print_routing(console, figures, time_limit)
    if _routing_errors(figures):
        raise typer.Exit(1)


def _routing_errors(figures: dict[str, Any]) -> bool:
    tables = [figures, *figures.get("peers", {}).values()]
    return any("error" in row for table in tables for row in table["instances"])


def _print_routing(console: Console, figures: dict[str, Any], time_limit: float) -> None:
    from rich.table import Table

    for solver, table_figures in [("pyvrp", figures), *figures.get("peers", {}).items()]:
        table = Table(title=f"{solver}, {time_limit:g} s per instance")
        for column in ("instance", "vehicles", "distance", "gap %", "seconds", "error"):
            table.add_column(column, justify="left" if column in ("instance", "error") else "right")
        for row in table_figures["instances"]:
            distance, gap = row["distance"], row["gap_pct"]
            table.add_row(
                row["name"],
                str(row["vehicles"]),
                "-" if distance is None else f"{distance:.1f}",
                "-" if gap is None else f"{gap:.2f}",
                f"{row['seconds']:.2f}",
                row.get("error", ""),
            )
        console.print(table)
        mean = table_figures["mean_gap_pct"]
        console.print(f"{solver} mean gap: {'-' if mean is None else f'{mean:.3f} %'}")


@app.command("urgent")
def urgent(
    *,
    visits: Annotated[int, typer.Option(min=1, max=400, help="Visits on the day.")] = 40,
    crews: Annotated[int, typer.Option(min=1, max=60, help="Service crews.")] = 8,
    inserts: Annotated[int, typer.Option(min=1, max=200, help="Urgent visits to insert.")] = 20,
    route_seconds: Annotated[
        float, typer.Option(min=0.1, help="Seconds to route the day first.")
    ] = 5.0,
    seed: Annotated[int, typer.Option(help="Day and solver seed.")] = BENCH_SEED,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A seeded service day routed once, then urgent visits (leaks) inserted into it one at a
    time: insertion times (target under 1 s), how many were placed, plan-check violations."""
    from roofops.cli.bench_urgent import UrgentBenchSize, run_urgent_bench

    console = make_console()
    size = UrgentBenchSize(visits, crews, inserts, route_seconds, seed)
    with console.status("routing the day, then inserting urgent visits..."):
        figures = run_urgent_bench(size)
    if as_json:
        print(json.dumps(figures))
        return
    console.print(
        f"Urgent visits: {figures['inserts']} inserted one at a time into a day of "
        f"{visits} visits and {crews} crews; placed {figures['placed']} "
        f"({figures['searched']} needed a search); median {figures['median_seconds']:.3f} s, "
        f"p95 {figures['p95_seconds']:.3f} s, max {figures['max_seconds']:.3f} s; "
        f"plan check violations: {figures['violations']}"
    )


@app.command("projections")
def projections(
    *,
    origins: Annotated[
        int, typer.Option(min=1, max=26, help="Rolling origins, 4 weeks apart.")
    ] = 6,
    size: Annotated[float, typer.Option(min=0.05, max=50, help="Demo company size.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Demo and simulation seed.")] = BENCH_SEED,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Last day of the demo's history, YYYY-MM-DD (2025-06-02)."),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Database with the demo (default: a fresh SQLite file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Rolling-origin backtest of the demand, revenue and win-probability models on the demo
    company: 80 %/95 % band coverage, WAPE/MAPE of the median, Brier and calibration error."""
    from roofops.cli.bench_projections import print_projections, run_projections_bench

    console = make_console()
    with tempfile.TemporaryDirectory() as scratch, console.status("backtesting projections..."):
        figures = run_projections_bench(
            size=size,
            origins=origins,
            seed=seed,
            as_of=date.fromisoformat(as_of) if as_of else None,
            database_url=database_url,
            scratch=Path(scratch),
        )
    if as_json:
        print(json.dumps(figures))
        return
    print_projections(console, figures)


@app.command("forecast")
def forecast(
    *,
    csv: Annotated[
        Path | None,
        typer.Option(
            help="Long-format CSV (unique_id, ds, y; .csv or .csv.gz). Default: M3 monthly."
        ),
    ] = None,
    horizon: Annotated[
        int | None, typer.Option(min=1, help="Held-out points per series (M3: 18).")
    ] = None,
    season: Annotated[
        int | None,
        typer.Option(min=1, help="Period for MASE and seasonal naive: 12 monthly, 1 weekly."),
    ] = None,
    threads: Annotated[int, typer.Option(min=1, max=64, help="Processes for the model.")] = 1,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N series.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The project's series model (AutoETS + Theta) and the naive baselines on a panel whose
    last HORIZON points are held out: MASE, sMAPE, share beating seasonal naive, 80 %/95 %
    interval coverage, CPU seconds."""
    from roofops.cli.bench_forecast import (
        M3_HORIZON,
        M3_SEASON,
        BenchInputError,
        m3_monthly,
        read_panel,
        run_forecast_bench,
    )

    if csv is not None and (horizon is None or season is None):
        _input_error("--csv needs --horizon and --season.")
    horizon, season = horizon or M3_HORIZON, season or M3_SEASON
    console = make_console(stderr=as_json)
    try:
        with console.status("forecasting..."):
            panel = m3_monthly() if csv is None else read_panel(csv, horizon, season)
            figures = run_forecast_bench(panel, horizon, season, threads=threads, limit=limit)
    except BenchInputError as error:
        _input_error(str(error))
    if as_json:
        print(json.dumps(figures))
        return
    _print_forecast(console, figures, horizon, season)


def _input_error(sentence: str) -> NoReturn:
    make_console(stderr=True).print(f"[red]error:[/red] {sentence}")
    raise typer.Exit(2)


def _print_forecast(console: Console, figures: dict[str, Any], horizon: int, season: int) -> None:
    from rich.table import Table

    title = (
        f"{figures['data']}: {figures['series']:,} series, horizon {horizon}, MASE season "
        f"{season}, model season {figures['model_season']}, {figures['threads']} thread(s)"
    )
    table = Table(
        title=title,
        caption="beats SN: share of series with a lower MASE than seasonal naive; cov80/cov95: "
        "share of held-out points inside the 80 %/95 % intervals; CPU s: forecasting only",
    )
    for column in ("model", "MASE", "sMAPE %", "beats SN %", "cov80", "cov95", "CPU s"):
        table.add_column(column, justify="left" if column == "model" else "right", no_wrap=True)
    rows = [("ets+theta", figures), *figures["baselines"].items()]
    for name, row in rows:
        table.add_row(
            name.replace("_", " "),
            f"{row['mase']:.3f}",
            f"{row['smape']:.2f}",
            f"{row['beat_baseline_pct']:.1f}",
            f"{row['coverage_80']:.1%}",
            f"{row['coverage_95']:.1%}",
            f"{row['cpu_seconds']:.1f}",
        )
    console.print(table)


@app.command("completion")
def completion(
    *,
    origins: Annotated[int, typer.Option(min=1, max=52, help="Origins, four weeks apart.")] = 12,
    seed: Annotated[int, typer.Option(help="The simulation's seed.")] = 0,
    size: Annotated[
        float, typer.Option(min=0.05, max=50, help="Demo size when the database has no history.")
    ] = 1.0,
    demo_seed: Annotated[int, typer.Option(help="Demo seed when the database has none.")] = 42,
    demo_as_of: Annotated[
        str | None,
        typer.Option(help="Demo's last day, YYYY-MM-DD, when the database has none (today UTC)."),
    ] = None,
    calibrate: Annotated[
        bool, typer.Option(help="Recalibrate the windows on each origin's recent past.")
    ] = True,
    database_url: Annotated[
        str | None, typer.Option(help="Database to read (default: the configured one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The completion model backtested by rolling origin on the demo company (as `make demo`
    builds it, when the database has no history): error in days, bias, 80 %/95 % coverage
    and C-index, against a per-job-type median baseline."""
    from roofops.cli.bench_completion import DemoChoice, run_completion_bench

    console = make_console(stderr=as_json)
    demo = DemoChoice(size, demo_seed, _day(demo_as_of, "--demo-as-of"))
    with tempfile.TemporaryDirectory() as scratch, console.status("backtesting..."):
        figures = run_completion_bench(
            origins=origins,
            seed=seed,
            demo=demo,
            database_url=database_url,
            scratch=Path(scratch),
            calibrated=calibrate,
        )
    if as_json:
        print(json.dumps(figures))
        return
    _print_completion(console, figures)


def _print_completion(console: Console, figures: dict[str, Any]) -> None:
    from rich.table import Table

    title = (
        f"Completion backtest: {figures['origins']:g} origins {figures['first_origin']} .. "
        f"{figures['last_origin']}, {figures['jobs']:g} jobs ({figures['censored']:g} censored)"
    )
    table = Table(title=title)
    for column in ("figure", "model", "baseline", "target"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    rows = (
        ("mean abs. error, days", "mae_days", "baseline_mae_days", ""),
        ("median abs. error, days", "median_abs_error_days", "baseline_median_abs_error_days",
         "below the baseline"),
        ("bias, days (+ = pessimistic)", "bias_days", None, "within +-2"),
        ("80 % window covers", "coverage_80", None, "0.75 - 0.85"),
        ("95 % window covers", "coverage_95", None, ""),
        ("C-index", "c_index", None, ">= 0.65"),
    )  # fmt: skip
    for label, key, baseline, target in rows:
        table.add_row(
            label, _figure(figures.get(key)), _figure(figures.get(baseline or "")), target
        )
    console.print(table)
    calibration = (
        f"recalibrated on {figures['calibration_jobs_per_origin']:g} recent jobs an origin"
        if figures["calibrated"]
        else "not recalibrated"
    )
    console.print(
        f"{figures['database']}; {calibration}; {figures['threads']} thread(s), "
        f"{figures['cpu_seconds']:.1f} CPU seconds"
    )


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _day(text: str | None, option: str) -> date:
    """A YYYY-MM-DD option, today (UTC) when not given: what `roofops demo` builds to."""
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=option) from error
