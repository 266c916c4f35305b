"""One place that turns errors into responses: JSON under /api, HTML (or a redirect) for pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from roofops.exceptions import NotAuthenticated, RoofOpsError, TooManyRequests
from roofops.logging import get_logger

log = get_logger(__name__)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/health", "/metrics", "/openapi.json")) or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def _json_error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "form")]
    return ".".join(parts) or "request"


async def handle_validation_error(request: Request, exc: RequestValidationError) -> Response:
    fields = [
        {"field": _field_name(error.get("loc", ())), "message": error.get("msg", "invalid")}
        for error in exc.errors()
    ]
    message = "; ".join(f"{item['field']}: {item['message']}" for item in fields)
    if not wants_json(request):
        return _html_error(request, 422, message)
    return _json_error(422, "validation_failed", message, fields=fields)


async def handle_roofops_error(request: Request, exc: RoofOpsError) -> Response:
    if exc.status_code >= 500:
        log.error("request.failed", path=request.url.path, error=exc.message)
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if not wants_json(request):
        if isinstance(exc, NotAuthenticated) and request.method == "GET":
            return _redirect_to_login(request)
        return _html_error(request, exc.status_code, exc.message, headers)
    response = _json_error(exc.status_code, exc.code, exc.message, details=exc.details)
    response.headers.update(headers)
    return response


def _redirect_to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("HX-Request"):
        # htmx swaps responses in place; ask it to navigate the whole page instead.
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _html_error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    from roofops.web.rendering import render_error

    return render_error(request, status, message, headers or {})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, handle_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(RoofOpsError, handle_roofops_error)  # type: ignore[arg-type]
