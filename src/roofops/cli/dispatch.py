"""roofops dispatch: the production schedule from a terminal: optimize into a draft, re-plan
after an event, show a plan with why each job is where it is, publish.

The commands call the service the board and the API call, in this process, acting as the
command line (COMMAND_LINE: audited as such). ``--json`` prints the API's shapes.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

    from roofops.dispatch.schemas import PlanDetailOut
    from roofops.models.dispatch import DispatchPlan

# A plan as the API shows it, and the job numbers and crew names its ids stand for.
Shown = tuple["PlanDetailOut", dict[uuid.UUID, str]]

app = typer.Typer(
    no_args_is_help=True, help="Production schedule: optimize, re-plan, show and publish plans."
)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (the API's fields).")]
TimeLimit = Annotated[
    float | None,
    typer.Option(min=0.1, max=600, help="Seconds the optimizer may search (default: settings)."),
]


@app.command()
def optimize(
    *,
    start: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, max=120, help="Calendar days (default: settings).")
    ] = None,
    time_limit: TimeLimit = None,
    as_json: AsJson = False,
) -> None:
    """Schedule every open production job into a new draft (checked before it is saved)."""
    from roofops.auth.principal import COMMAND_LINE
    from roofops.db import session_scope
    from roofops.dispatch.service import dispatch_service

    console = make_console(stderr=as_json)
    first = _day(console, start)
    with clean_errors(console), session_scope() as db:
        _connect()
        with console.status("optimizing...") as status:
            plan = dispatch_service.optimize(
                db,
                COMMAND_LINE,
                first,
                days,
                time_limit=time_limit,
                progress=lambda _phase, percent, text: status.update(f"{percent}% {text}"),
            )
        shown = _detail(db, plan)
    _print(console, shown, as_json, "Draft")


@app.command()
def replan(
    *,
    event: Annotated[str, typer.Option("--event", help="The dispatch event's id.")],
    time_limit: TimeLimit = None,
    as_json: AsJson = False,
) -> None:
    """Re-plan the published schedule after an event, moving as little as possible."""
    from roofops.auth.principal import COMMAND_LINE
    from roofops.db import session_scope
    from roofops.dispatch.service import dispatch_service

    console = make_console(stderr=as_json)
    event_id = _uuid(console, event, "event")
    with clean_errors(console), session_scope() as db:
        _connect()
        with console.status("re-planning..."):
            plan = dispatch_service.replan(db, COMMAND_LINE, event_id, time_limit=time_limit)
        shown = _detail(db, plan)
        changes = dispatch_service.diff(db, plan.id).changes
    _print(console, shown, as_json, "Re-planned draft")
    if not as_json:
        for change in changes:
            console.print(f"  {change.kind.value} {change.job_number} {change.phase}: {change.why}")


@app.command()
def show(
    plan: Annotated[
        str | None, typer.Option("--plan", help="A plan's id (default: the draft, else published).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """A plan: every job phase with its crew and days, or why it is not scheduled."""
    from roofops.db import session_scope
    from roofops.dispatch.service import dispatch_service

    console = make_console(stderr=as_json)
    with clean_errors(console), session_scope() as db:
        chosen = (
            dispatch_service.plan(db, _uuid(console, plan, "plan"))
            if plan
            else dispatch_service.draft(db) or dispatch_service.published(db)
        )
        if chosen is None:
            raise fail(console, "no plan yet: run roofops dispatch optimize")
        shown = _detail(db, chosen)
    _print(console, shown, as_json, "Plan")


@app.command()
def publish(
    plan: Annotated[str, typer.Argument(help="The draft's id.")], as_json: AsJson = False
) -> None:
    """Publish a draft: crews work from it; the previous plan is superseded."""
    from roofops.auth.principal import COMMAND_LINE
    from roofops.db import session_scope
    from roofops.dispatch.service import dispatch_service

    console = make_console(stderr=as_json)
    with clean_errors(console), session_scope() as db:
        _connect()
        published = dispatch_service.publish(db, COMMAND_LINE, _uuid(console, plan, "plan"))
        shown = _detail(db, published)
    _print(console, shown, as_json, "Published")


def _connect() -> None:
    """The composition root's ports (the weather outlook, publish notices)."""
    from roofops.composition import register_background_work

    register_background_work()


def _detail(db: Session, plan: DispatchPlan) -> Shown:
    from roofops.dispatch.schemas import PlanDetailOut
    from roofops.dispatch.service import dispatch_service

    entries = dispatch_service.entries(db, plan.id)
    return PlanDetailOut.of(plan, entries), dispatch_service.labels(db, entries)


def _print(console: Console, shown: Shown, as_json: bool, title: str) -> None:
    plan, labels = shown
    if as_json:
        typer.echo(plan.model_dump_json(indent=2))
        return
    gap = f", gap {plan.gap_pct:.1f} %" if plan.gap_pct is not None else ""
    seconds = f" in {plan.solve_seconds:.1f} s" if plan.solve_seconds is not None else ""
    console.print(
        f"{title} {plan.id} ({plan.status.value}, {plan.trigger}): "
        f"{plan.horizon_start} to {plan.horizon_end}, {plan.solver}{gap}{seconds}"
    )
    if plan.note:
        console.print(f"  {plan.note}")
    for entry in plan.entries:
        where = (
            f"{labels[entry.crew_id]} {entry.starts_on} to {entry.ends_on}"
            if entry.crew_id
            else "unscheduled"
        )
        console.print(f"  {labels[entry.job_id]} {entry.phase.value}: {where}. {entry.reason}")


def _day(console: Console, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise fail(console, f"not a date: {text} (YYYY-MM-DD)") from error


def _uuid(console: Console, text: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as error:
        raise fail(console, f"not a {what} id: {text}") from error
