"""Rendering helpers for pages (stub until the web module lands)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response


def render_error(request: Request, status: int, message: str, headers: dict[str, str]) -> Response:
    return HTMLResponse(f"<p>{status}: {message}</p>", status_code=status, headers=headers)
