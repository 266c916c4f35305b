"""roofops user: accounts, passwords and API tokens from the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console
from roofops.models.enums import Role

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

    from roofops.models.user import User

app = typer.Typer(no_args_is_help=True, help="User accounts, passwords and API tokens.")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


@app.command()
def create(
    email: str,
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account; prints a generated password when none is read from stdin."""
    from roofops.auth.service import user_service
    from roofops.db import session_scope

    console = make_console()
    given = _read_password(console) if password_stdin else None
    with clean_errors(console), session_scope() as db:
        user, password = user_service.create(
            db, email=email, role=role, full_name=name, password=given
        )
    console.print(f"Created {user.email} ({user.role.value}).")
    if given is None:
        _show_secret(console, "password", password)


@app.command("set-password")
def set_password(email: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password (generated and printed unless read from stdin); signs the user out."""
    from roofops.auth.service import user_service
    from roofops.db import session_scope

    console = make_console()
    given = _read_password(console) if password_stdin else None
    with clean_errors(console), session_scope() as db:
        password = user_service.set_password(db, email.strip().lower(), given)
    console.print(f"New password set for {email}; their sessions were ended.")
    if given is None:
        _show_secret(console, "password", password)


@app.command("list")
def list_users() -> None:
    """Every account with its role and last sign-in."""
    from rich.table import Table

    from roofops.auth.service import user_service
    from roofops.db import session_scope

    console = make_console()
    table = Table("e-mail", "name", "role", "active", "last sign-in")
    with clean_errors(console), session_scope() as db:
        for user in user_service.list(db):
            last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
            table.add_row(user.email, user.full_name, user.role.value, _yes(user.is_active), last)
    console.print(table)


@app.command()
def token(
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'reporting script'.")],
) -> None:
    """Create an API token acting as the user; printed once, only its hash is kept.

    Only the token goes to stdout (``TOKEN=$(roofops user token ...)``); what it is and how
    to use it go to stderr, with the logs.
    """
    from roofops.auth.service import auth_service
    from roofops.db import session_scope

    notes = make_console(stderr=True)
    with clean_errors(notes), session_scope() as db:
        user = _user_by_email(db, email)
        created = auth_service.create_api_token(db, user_id=user.id, name=name)
    notes.print(f"API token '{name}' for {user.email} ({user.role.value}), shown only this once.")
    typer.echo(created.raw_token)
    notes.print("Send it as `Authorization: Bearer <token>`.")


def _user_by_email(db: Session, email: str) -> User:
    from roofops.auth.service import user_service
    from roofops.exceptions import NotFound

    wanted = email.strip().lower()
    user = next((user for user in user_service.list(db) if user.email == wanted), None)
    if user is None:
        raise NotFound(f"no user with e-mail {wanted}")
    return user


def _read_password(console: Console) -> str:
    password = typer.get_text_stream("stdin").readline().rstrip("\r\n")
    if not password:
        raise fail(console, "no password on stdin")
    return password


def _show_secret(console: Console, label: str, secret: str) -> None:
    """Shown once on the terminal, never logged: nothing else keeps it."""
    console.print(f"{label}: [bold]{secret}[/bold]  (shown only this once)", markup=True)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
