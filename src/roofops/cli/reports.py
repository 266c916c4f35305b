"""roofops reports: a financial report printed or written to a file, as the API serves it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from roofops.cli.output import clean_errors, fail, make_console
from roofops.report.periods import Comparison
from roofops.report.tables import ExportFormat

app = typer.Typer(help="Financial reports (the Reports page and its API, from the command line).")


REPORT_HELP = "revenue, margins, ar-aging, wip or depreciation"


@app.command("finance")
def finance(
    *,
    report: Annotated[str, typer.Option("--report", help=REPORT_HELP)] = "ar-aging",
    since: Annotated[str | None, typer.Option("--from", help="first month, YYYY-MM")] = None,
    until: Annotated[str | None, typer.Option("--to", help="last month, YYYY-MM")] = None,
    compare: Annotated[Comparison, typer.Option(help="the comparison period")] = (
        Comparison.PREVIOUS
    ),
    as_of: Annotated[
        datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help="the aging date")
    ] = None,
    export: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.JSON,
    output: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """Print one financial report (JSON or CSV), or write it to a file (XLSX needs --output)."""
    import json

    from roofops.config import get_settings
    from roofops.db import session_scope
    from roofops.report.export import exported
    from roofops.report.schemas import ReportOut
    from roofops.report.service import ReportQuery, build

    console = make_console()
    if export == ExportFormat.XLSX and output is None:
        raise fail(console, "an XLSX file is written with --output FILE")
    query = ReportQuery(since, until, compare, as_of.date() if as_of else None)
    with clean_errors(console), session_scope(get_settings().database_url) as db:
        built = build(db, report, query)
        if export == ExportFormat.JSON:
            content = json.dumps(ReportOut.of(built).model_dump(mode="json"), indent=2).encode()
        else:
            content = exported(built, export)[0]
    if output is None:
        typer.echo(content.decode(), nl=False)
        return
    output.write_bytes(content)
    make_console(stderr=True).print(f"{built.title} ({built.scope}) written to {output}")


@app.command("weekly")
def weekly(
    *,
    week: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="any day of the week; default: the last full week"),
    ] = None,
    output: Annotated[Path | None, typer.Option("--out", help="write the PDF here")] = None,
    email: Annotated[
        bool, typer.Option("--email", help="e-mail it to the report's recipients (once a week)")
    ] = False,
) -> None:
    """The weekly executive report (PDF): written to a file, e-mailed, or both."""
    from roofops.config import get_settings
    from roofops.db import session_factory, session_scope
    from roofops.kpi.weekly_report import download, report_filename
    from roofops.kpi.weekly_report_delivery import weekly_report_mail

    console = make_console(stderr=True)
    if output is None and not email:
        raise fail(console, "say what to do with the report: --out FILE, --email, or both")
    settings = get_settings()
    with clean_errors(console):
        with session_scope(settings.database_url) as db:
            period, document = download(db, week.date() if week else None)
        if output is not None:
            output.write_bytes(document)
            console.print(f"{report_filename(period)} written to {output}")
        if email:
            outcome = weekly_report_mail.send(
                session_factory(settings.database_url), settings, period
            )
            console.print(
                f"sent to {len(outcome.sent)}, already sent to {len(outcome.skipped)}, "
                f"failed for {len(outcome.failed)}: {', '.join(outcome.failed) or 'none'}"
            )
