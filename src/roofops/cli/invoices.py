"""roofops invoices: the invoice actions of the pages and the API, from a terminal.

Each command is a function of its own (sending here; pushing to the books lives beside it).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session, sessionmaker

    from roofops.config import Settings

app = typer.Typer(help="Invoices: e-mail one to its payer, push them to the books.")


@app.command("send")
def send(
    number: Annotated[str, typer.Argument(help="The invoice number, e.g. 5003 or 5003-2.")],
    to: Annotated[
        str | None,
        typer.Option(help="Send here; default: the customer's e-mail (homeowner invoices)."),
    ] = None,
    message: Annotated[str, typer.Option(help="The e-mail's opening paragraph.")] = "",
) -> None:
    """E-mail the invoice PDF to its payer now, in this process, and print how it went."""
    from roofops.auth.principal import SYSTEM
    from roofops.config import get_settings
    from roofops.db import session_factory, session_scope
    from roofops.invoice.delivery import invoice_delivery
    from roofops.invoice.service import invoice_service

    console = make_console()
    url = get_settings().database_url
    with clean_errors(console):
        with session_scope(url) as db:
            invoice_id = invoice_service.id_by_number(db, number)
            requested = invoice_delivery.prepare_send(db, SYSTEM, invoice_id, to)
        sent = invoice_delivery.send(session_factory(url), invoice_id, requested.to, message)
        with session_scope(url) as db:
            last = invoice_delivery.history(db, invoice_id)[-1]
    if not sent:
        raise fail(console, f"invoice {number} was not sent: {last.reason}")
    console.print(f"invoice {number} sent to {requested.to}")


@app.command("push")
def push(
    number: Annotated[str | None, typer.Argument(help="The invoice number, e.g. 5003-2.")] = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every invoice not in the books yet, or whose push failed."),
    ] = False,
) -> None:
    """Push invoices to the connected QuickBooks or Xero now, in this process, exactly once
    (an invoice already there is found by its number, not created again)."""
    from roofops.config import get_settings
    from roofops.db import session_factory
    from roofops.sandbox.mount import sandboxes_served

    if (number is None) != every:
        raise typer.BadParameter("give an invoice number, or --all")
    settings = get_settings()
    console = make_console()
    sessions = session_factory(settings.database_url)
    with clean_errors(console), sandboxes_served(sessions, settings):
        asked = _ask_for_pushes(sessions, settings, number)
        failed = sum(_push_one(console, sessions, settings, *pair) for pair in asked)
    if not asked:
        console.print("nothing to push: every invoice is in the books")
    if failed:
        raise fail(console, f"{failed} invoice(s) not pushed: see the messages above")


def _ask_for_pushes(
    sessions: sessionmaker[Session], settings: Settings, number: str | None
) -> list[tuple[uuid.UUID, str]]:
    """Mark the invoices pending (no background task: this process pushes them)."""
    from roofops.integrations.invoicing.push import invoice_push
    from roofops.invoice.push_state import awaiting_push
    from roofops.invoice.service import invoice_service

    with sessions.begin() as db:
        ids = [invoice_service.id_by_number(db, number)] if number else awaiting_push(db)
        asked = [invoice_push.request(db, settings, i, queue=False) for i in ids]
        return [(invoice.id, invoice.number) for invoice, _ in asked]


def _push_one(
    console: Console,
    sessions: sessionmaker[Session],
    settings: Settings,
    invoice_id: uuid.UUID,
    number: str,
) -> bool:
    """Push it and say how it went; whether it failed."""
    from roofops.integrations.invoicing.push import invoice_push
    from roofops.invoice.push_state import invoice_to_push
    from roofops.models.invoice import PushStatus

    invoice_push.push(sessions, settings, invoice_id)
    with sessions() as db:
        invoice = invoice_to_push(db, invoice_id)
        error = f": {invoice.push_error}" if invoice.push_error else ""
        console.print(f"{number}: {invoice.push_status.value}{error}")
        return invoice.push_status != PushStatus.PUSHED
