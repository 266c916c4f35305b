"""What every CLI command shares: one Rich console, clean messages for expected failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape


def make_console(*, stderr: bool = False) -> Console:
    """Made per command, so it writes to the stdout (or stderr) of the moment (CliRunner
    swaps them)."""
    return Console(highlight=False, soft_wrap=True, stderr=stderr)


def fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[red]{escape(message)}[/red]")
    return typer.Exit(1)


@contextmanager
def clean_errors(console: Console) -> Iterator[None]:
    """Our own errors, Alembic's and an unreachable database end with a sentence, not a trace."""
    import sqlalchemy as sa
    from alembic.util import CommandError

    from roofops.exceptions import RoofOpsError

    try:
        yield
    except RoofOpsError as error:
        raise fail(console, error.message) from error
    except CommandError as error:
        raise fail(console, f"migration failed: {error}") from error
    except sa.exc.OperationalError as error:
        raise fail(console, f"cannot use the database: {error.orig}") from error
