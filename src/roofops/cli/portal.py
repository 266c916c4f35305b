"""roofops portal: the customer portal from a terminal.

``roofops portal link JOB_NUMBER`` prints a sign-in link for the job's customer (acting as the
command line, audited as such); ``--email`` also e-mails it, now, in this process.
"""

from __future__ import annotations

from typing import Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console

app = typer.Typer(no_args_is_help=True, help="Customer portal: sign-in links for homeowners.")


@app.command("link")
def link(
    job_number: Annotated[str, typer.Argument(help="The job's number, e.g. 5003.")],
    *,
    email: Annotated[
        bool, typer.Option("--email", help="Also e-mail the link to the customer.")
    ] = False,
    to: Annotated[
        str | None, typer.Option(help="The address for the link; default: the customer's e-mail.")
    ] = None,
) -> None:
    """Print a single-use sign-in link to the job's customer's portal."""
    from roofops.audit.service import audit_service
    from roofops.auth.principal import COMMAND_LINE
    from roofops.config import get_settings
    from roofops.db import session_factory, session_scope
    from roofops.job.service import job_service
    from roofops.models.portal import PortalLinkOrigin
    from roofops.portal.links import portal_links

    console = make_console()
    url = get_settings().database_url
    with clean_errors(console):
        with session_scope(url) as db:
            job_id = job_service.id_by_number(db, job_number)
            issued = portal_links.issue(
                db, COMMAND_LINE, job_id, origin=PortalLinkOrigin.COMMAND_LINE, email=to
            )
        typer.echo(issued.url)
        if not email:
            return
        sent = portal_links.mail(session_factory(url), issued.link.id, raw_token=issued.raw_token)
        if not sent:
            with session_scope(url) as db:
                why = audit_service.history(db, "portal_link", issued.link.id)[-1].reason
            raise fail(console, f"the link was not e-mailed: {why}")
    console.print(f"e-mailed to {issued.link.email}")
