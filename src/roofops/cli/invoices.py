"""roofops invoices: the invoice actions of the pages and the API, from a terminal: list,
raise, show, void and send.

Each command calls the service the pages and the JSON API call, acting as the command line
(COMMAND_LINE: audited as such). ``--json`` prints the API's own shapes (InvoiceOut), so a
script reads the same fields either way. Each command is a function of its own.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer

from roofops.cli.output import clean_errors, fail, make_console
from roofops.models.invoice import InvoiceKind, InvoicePayer, InvoiceStatus

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session, sessionmaker

    from roofops.config import Settings
    from roofops.invoice.schemas import InvoiceOut
    from roofops.kit.paging import Page
    from roofops.models.invoice import Invoice

app = typer.Typer(
    no_args_is_help=True, help="Invoices: list, raise, show, void, e-mail and push to the books."
)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (the API's fields).")]


@app.command("list")
def list_invoices(
    *,
    job: Annotated[str | None, typer.Option(help="Only this job's (its number).")] = None,
    status: Annotated[
        InvoiceStatus | None, typer.Option(help="overdue: sent and past its due date.")
    ] = None,
    payer: Annotated[InvoicePayer | None, typer.Option(help="The payer type.")] = None,
    kind: Annotated[InvoiceKind | None, typer.Option(help="The kind of invoice.")] = None,
    page: Annotated[int, typer.Option(min=1, help="Which page of --size.")] = 1,
    size: Annotated[int, typer.Option(min=1, max=200, help="Invoices per page.")] = 50,
    as_json: AsJson = False,
) -> None:
    """Invoices, newest first, with what each payer was invoiced, paid and owes."""
    from roofops.db import session_scope
    from roofops.invoice.service import InvoiceFilters, invoice_service
    from roofops.job.service import job_service
    from roofops.kit.paging import PageRequest

    console = make_console()
    with clean_errors(console), session_scope() as db:
        job_id = job_service.id_by_number(db, job) if job else None
        filters = InvoiceFilters(job_id=job_id, status=status, payer_kind=payer, kind=kind)
        found = invoice_service.list(db, filters, PageRequest(page=page, size=size))
        listed = _listed(found)
    if as_json:
        typer.echo(_json(listed))
        return
    _print_list(console, listed)


@app.command()
def generate(
    job_number: Annotated[str, typer.Argument(help="The job's number, e.g. 5003.")],
    *,
    kind: Annotated[InvoiceKind, typer.Option(help="What the invoice is for.")],
    percent: Annotated[
        str | None, typer.Option(help="deposit (default: the setting) or progress: % of contract.")
    ] = None,
    amount: Annotated[
        str | None, typer.Option(help="progress: the milestone's amount; supplement: approved.")
    ] = None,
    description: Annotated[
        str, typer.Option(help="progress: the milestone; supplement: what was approved.")
    ] = "",
    payer: Annotated[
        InvoicePayer | None, typer.Option(help="deposit, progress, final: homeowner or financing.")
    ] = None,
    payer_name: Annotated[
        str, typer.Option(help="Required for a financing company; default: customer or carrier.")
    ] = "",
    memo: Annotated[str, typer.Option(help="A note printed on the invoice.")] = "",
    as_json: AsJson = False,
) -> None:
    """Raise one invoice from a job; its amount is figured as the API figures it."""
    from roofops.auth.principal import COMMAND_LINE
    from roofops.db import session_scope
    from roofops.invoice.service import invoice_service
    from roofops.job.service import job_service

    console = make_console()
    _connect_books()
    given = {"percent": percent, "amount": amount, "payer": payer}
    texts = {"description": description, "payer_name": payer_name, "memo": memo}
    with clean_errors(console), session_scope() as db:
        fields = {"job_id": job_service.id_by_number(db, job_number), "kind": kind}
        body = _body(fields | {k: v for k, v in given.items() if v is not None} | texts)
        raised = _out(invoice_service.generate(db, COMMAND_LINE, body))
    _print_one(console, raised, as_json, f"Raised invoice {raised.number}")


@app.command()
def show(
    number: Annotated[str, typer.Argument(help="The invoice number, e.g. 5003-2.")],
    as_json: AsJson = False,
) -> None:
    """One invoice: its payer, dates, status, lines and what is paid and outstanding."""
    from roofops.db import session_scope
    from roofops.invoice.service import invoice_service

    console = make_console()
    with clean_errors(console), session_scope() as db:
        shown = _out(invoice_service.get_by_number(db, number))
    _print_one(console, shown, as_json, f"Invoice {shown.number}")


@app.command()
def void(
    number: Annotated[str, typer.Argument(help="The invoice number, e.g. 5003-2.")],
    reason: Annotated[str, typer.Option(help="Why: kept with the invoice.")],
    as_json: AsJson = False,
) -> None:
    """Void an invoice (kept with its number and the reason; never deleted); one in the books
    is voided there first (the demo's sandbox books are served while the command runs)."""
    from roofops.auth.principal import COMMAND_LINE
    from roofops.config import get_settings
    from roofops.db import session_factory, session_scope
    from roofops.invoice.schemas import InvoiceVoid
    from roofops.invoice.service import invoice_service
    from roofops.sandbox.mount import sandboxes_served

    console = make_console()
    _connect_books()
    settings = get_settings()
    with (
        clean_errors(console),
        sandboxes_served(session_factory(settings.database_url), settings),
        session_scope() as db,
    ):
        checked = _validated(InvoiceVoid, {"reason": reason.strip()})
        invoice_id = invoice_service.get_by_number(db, number).id
        voided = _out(invoice_service.void(db, COMMAND_LINE, invoice_id, checked.reason))
    _print_one(console, voided, as_json, f"Voided invoice {voided.number}")


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


# ----- shared by the commands -----------------------------------------------------------
def _connect_books() -> None:
    """The ports the app and the worker connect at start: a generate is refused inside the
    books' closed period, and a pushed invoice is voided in the books first."""
    from roofops.composition import register_background_work

    register_background_work()


def _validated(model: Any, data: dict[str, Any]) -> Any:
    """The API's body model; its complaint as one sentence (exit 1), not a trace."""
    from pydantic import ValidationError

    from roofops.web.forms import readable

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise readable(exc) from None


def _body(data: dict[str, Any]) -> Any:
    from roofops.invoice.schemas import InvoiceGenerate

    return _validated(InvoiceGenerate, data)


def _out(invoice: Invoice) -> InvoiceOut:
    """Read inside the unit of work: printed only once it has committed."""
    from roofops.invoice.schemas import InvoiceOut

    return InvoiceOut.model_validate(invoice)


def _listed(found: Page[Invoice]) -> dict[str, Any]:
    return {
        "items": [_out(invoice) for invoice in found.items],
        "total": found.total,
        "page": found.page,
        "size": found.size,
        "pages": found.pages,
    }


def _json(listed: dict[str, Any]) -> str:
    import json

    items = [item.model_dump(mode="json") for item in listed["items"]]
    return json.dumps(listed | {"items": items})


def _print_list(console: Console, listed: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table("number", "kind", "payer", "issued", "due", "status", "total", "outstanding")
    for item in listed["items"]:
        table.add_row(
            item.number,
            item.kind.value,
            f"{item.payer_name} ({item.payer_kind.value})",
            item.issue_date.isoformat(),
            item.due_date.isoformat(),
            item.status.value,
            f"${item.total:,}",
            f"${item.outstanding:,}",
        )
    console.print(table)
    console.print(f"{listed['total']:,} invoices; page {listed['page']} of {listed['pages']}")


def _print_one(console: Console, invoice: InvoiceOut, as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(invoice.model_dump_json())
        return
    console.print(
        f"{title}: {invoice.kind.value} to {invoice.payer_name} "
        f"({invoice.payer_kind.value}), {invoice.status.value}"
    )
    console.print(f"  issued {invoice.issue_date}, due {invoice.due_date}")
    for line in invoice.lines:
        console.print(f"  {line.description}: ${line.amount:,}")
    console.print(
        f"  total ${invoice.total:,}, paid ${invoice.paid:,}, outstanding ${invoice.outstanding:,}"
    )
    if invoice.void_reason:
        console.print(f"  void: {invoice.void_reason}")
