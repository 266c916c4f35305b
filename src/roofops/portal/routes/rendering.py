"""The portal's templates: its own layout (no office navigation, nothing internal), mobile first."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from roofops.portal.visitor import PortalVisitor

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
portal_templates = Jinja2Templates(directory=TEMPLATES_DIR)
portal_templates.env.auto_reload = False


def render_portal(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    visitor: PortalVisitor | None = getattr(request.state, "portal_visitor", None)
    response = portal_templates.TemplateResponse(
        request, name, {"visitor": visitor, **(context or {})}, status_code=status_code
    )
    response.headers.update(headers or {})
    return response


def render_portal_error(
    request: Request, status: int, message: str, headers: dict[str, str]
) -> HTMLResponse:
    return render_portal(
        request,
        "portal/error.html",
        {"status": status, "message": message},
        status_code=status,
        headers=headers,
    )
