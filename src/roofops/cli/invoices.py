"""roofops invoices: the invoice actions of the pages and the API, from a terminal.

Each command is a function of its own (sending here; pushing to the books lives beside it).
"""

from __future__ import annotations

from typing import Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console

app = typer.Typer(help="Invoices: e-mail one to its payer (and more, see each command).")


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
