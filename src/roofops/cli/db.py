"""roofops db: migrate the schema (an explicit production step), show and check the revision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from roofops.cli.output import clean_errors, fail, make_console

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(no_args_is_help=True, help="Database schema migrations (Alembic).")


STATES = {
    "current": "up to date",
    "behind": "behind: run `roofops db upgrade`",
    "ahead": "ahead: migrated by a newer release",
}


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database up to REVISION (the latest by default). Take a backup first."""
    from roofops import schema

    console = make_console()
    with clean_errors(console):
        schema.upgrade(revision=revision)
    console.print(f"Database schema at {_migrations(console)['current']}.")


@app.command()
def downgrade(revision: Annotated[str, typer.Argument(help="Revision to go back to.")]) -> None:
    """Migrate the database down to REVISION; data in dropped columns and tables is lost."""
    from roofops import schema

    console = make_console()
    with clean_errors(console):
        schema.downgrade(revision=revision)
    console.print(f"Database schema at {_migrations(console)['current']}.")


@app.command()
def current() -> None:
    """Print the database's revision and the latest one this release knows."""
    console = make_console()
    migrations = _migrations(console)
    console.print(f"database: {migrations['current']}\nhead:     {migrations['head']}")
    console.print(STATES[migrations["state"]])


@app.command()
def check() -> None:
    """Exit 0 when the schema is at this release's head, 1 otherwise (for scripts and hooks)."""
    console = make_console()
    migrations = _migrations(console)
    if not migrations["ok"]:
        raise fail(
            console,
            f"database at {migrations['current']}, this release needs "
            f"{migrations['head']} ({STATES[migrations['state']]})",
        )
    console.print(f"Database schema is current ({migrations['head']}).")


def _migrations(console: Console) -> dict[str, Any]:
    from roofops.db import session_scope
    from roofops.health.service import health_service

    with clean_errors(console), session_scope() as db:
        return health_service.migrations(db)
