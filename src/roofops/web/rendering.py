"""Templates, formatting for people, and the HTML error page every page error goes through."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from roofops.auth.permissions import Permission
from roofops.financials.figures import DEFINITIONS as MONEY_DEFINITIONS
from roofops.invoice.status import status_on
from roofops.models.enums import JobStage
from roofops.web.context import PageContext
from roofops.web.formatting import (
    age_in_stage,
    duration,
    elapsed,
    enum_choices,
    humanize,
    money,
    named_choices,
    plain_choices,
    sentence,
    stage_label,
)
from roofops.web.invoice_view import INVOICE_TERMS

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
# Templates are read once per process: checking every file's mtime on each render cost a page
# several percent of its time. `roofops serve --reload` restarts on template edits instead.
templates.env.auto_reload = False

templates.env.filters.update(
    stage_label=stage_label,
    age_in_stage=age_in_stage,
    money=money,
    duration=duration,
    elapsed=elapsed,
    humanize=humanize,
    sentence=sentence,
    enum_choices=enum_choices,
    named_choices=named_choices,
    plain_choices=plain_choices,
)


@pass_context
def can(context: Mapping[str, Any], permission: str) -> bool:
    """``{% if can("run_sync") %}``: templates ask the permission table the routes use, by name
    (a misspelt name is an error, not a hidden button)."""
    page: PageContext | None = context.get("page")
    return page is not None and page.can(Permission(permission))


templates.env.globals.update(
    JobStage=JobStage,
    can=can,
    MONEY_TERMS=MONEY_DEFINITIONS,
    INVOICE_TERMS=INVOICE_TERMS,
    invoice_status=status_on,
)


def is_fragment_request(request: Request) -> bool:
    """htmx asks for a fragment, except when it restores history and needs the whole page."""
    headers = request.headers
    return "HX-Request" in headers and "HX-History-Restore-Request" not in headers


def _page_context(request: Request) -> PageContext | None:
    """Error pages raised before the page dependency ran still show who is signed in."""
    page: PageContext | None = getattr(request.state, "page", None)
    principal = getattr(request.state, "principal", None)
    if page is None and principal is not None:
        page = PageContext(principal=principal)
    return page


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    page = _page_context(request)
    response = templates.TemplateResponse(
        request, name, {"page": page, **(context or {})}, status_code=status_code
    )
    response.headers.update({"Vary": "HX-Request", **(headers or {})})
    return response


def render_error(request: Request, status: int, message: str, headers: dict[str, str]) -> Response:
    """Inside the layout for a whole page; a small alert when htmx swaps it into a page."""
    name = "_error_fragment.html" if is_fragment_request(request) else "error.html"
    return render(
        request,
        name,
        {"status": status, "message": message},
        status_code=status,
        headers=headers,
    )
