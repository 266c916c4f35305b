"""One place that turns errors into responses: JSON under /api, HTML (or a redirect) for pages.

Every refusal, whoever raises it (a service, FastAPI's validation, Starlette's routing, the
request guards in roofops.middleware), leaves through :func:`error_response`, so the JSON
envelope and the error page are the same everywhere.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from roofops.exceptions import NotAuthenticated, RoofOpsError, TooManyRequests
from roofops.logging import get_logger

log = get_logger(__name__)
# Starlette's own refusals (unknown path, wrong method, unreadable body) by status.
HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "content_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
}
CRASH_MESSAGE = "something went wrong on our side; the error was logged"
# Where a signed-out homeowner asks for a new link (roofops.portal.routes).
PORTAL_SIGN_IN = "/portal/sign-in"


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/health", "/metrics", "/openapi.json")) or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The JSON envelope ``{"error": {"code", "message", ...}}`` or the error page."""
    if not wants_json(request):
        return _html_error(request, status, message, headers or {})
    body = {"error": {"code": code, "message": message, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "form")]
    return ".".join(parts) or "request"


async def handle_validation_error(request: Request, exc: RequestValidationError) -> Response:
    fields = [
        {"field": _field_name(error.get("loc", ())), "message": error.get("msg", "invalid")}
        for error in exc.errors()
    ]
    message = "; ".join(f"{item['field']}: {item['message']}" for item in fields)
    return error_response(request, 422, "validation_failed", message, fields=fields)


async def handle_roofops_error(request: Request, exc: RoofOpsError) -> Response:
    if exc.status_code >= 500:
        log.error("request.failed", path=request.url.path, error=exc.message)
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, NotAuthenticated) and request.method == "GET" and not wants_json(request):
        return _redirect_to_login(request)
    extra: dict[str, Any] = {"details": exc.details}
    if "field" in exc.details:
        # One shape for every 422: a field our services refuse is listed like a schema's.
        extra["fields"] = [{"field": str(exc.details["field"]), "message": exc.message}]
    return error_response(request, exc.status_code, exc.code, exc.message, headers=headers, **extra)


async def handle_http_error(request: Request, exc: HTTPException) -> Response:
    """Starlette's refusals in our envelope; a 405 names every method the path answers."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    code = HTTP_ERROR_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail) if exc.detail else HTTPStatus(exc.status_code).phrase
    return error_response(request, exc.status_code, code, message.lower(), headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Each route takes its own methods, so the router's 405 names only the first matching
    route's; the truth is the union over every route whose path matches."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.path and route.methods and compile_path(route.path)[0].match(request.url.path):
            methods |= route.methods
    return sorted(methods)


def crash_response(request: Request) -> Response:
    """The answer to an unexpected exception (already logged by the caller)."""
    try:
        return error_response(request, 500, "internal_error", CRASH_MESSAGE)
    except Exception:  # the error page itself failed: say it plainly
        return PlainTextResponse(CRASH_MESSAGE, status_code=500)


def _redirect_to_login(request: Request) -> Response:
    if is_portal(request):
        return RedirectResponse(PORTAL_SIGN_IN, status_code=303)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("HX-Request"):
        # htmx swaps responses in place; ask it to navigate the whole page instead.
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _html_error(request: Request, status: int, message: str, headers: dict[str, str]) -> Response:
    if is_portal(request):
        from roofops.portal.routes.rendering import render_portal_error

        return render_portal_error(request, status, message, headers)
    from roofops.web.rendering import render_error

    return render_error(request, status, message, headers)


def is_portal(request: Request) -> bool:
    """The customer portal has its own error page and sign-in: nothing of the office's."""
    path = request.url.path
    return path == "/portal" or path.startswith("/portal/")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, handle_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(RoofOpsError, handle_roofops_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, handle_http_error)  # type: ignore[arg-type]
