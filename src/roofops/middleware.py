"""The app's outer layers (pure ASGI, so streamed responses such as SSE pass):

- security headers, and ``Cache-Control: no-store`` on everything but the static files;
- a crash guard: an unexpected exception becomes a 500 in our envelope, logged as one line;
- a body limit: a body larger than allowed is refused (413) before anything reads it;
- an input guard: NUL characters in the URL or a form, and JSON nested too deep or carrying
  NUL characters, are refused before any route sees them;
- on SQLite, a queue of write requests: one at a time reaches the routes.

Order, outermost first: metrics, security headers, crash guard, body limit, input guard,
write queue.
"""

from __future__ import annotations

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roofops.db import SAFE_METHODS
from roofops.errors import crash_response, error_response
from roofops.kit.schemas import NUL_REFUSED
from roofops.kit.untrusted_json import (
    JsonNestedTooDeep,
    UntrustedJsonError,
    load_untrusted_json,
    walk,
)
from roofops.logging import get_logger

log = get_logger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Pages, exports and API answers carry people's and customers' data: no shared or browser cache
# may keep them. Only the static files (no data, versioned by name) may be cached.
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE_PREFIX = "/static/"
MULTIPART = "multipart/form-data"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.headers
        if not scope["path"].startswith(CACHEABLE_PREFIX):
            wanted = [*wanted, NO_STORE]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in wanted if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrashGuardMiddleware:
    """An exception nobody handled: one log line (the traceback as a field) and a 500 in our
    envelope, inside the security headers. It is not raised on, so the server does not log a
    multi-line traceback of its own; a response already under way can only be cut short."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_remember(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_remember)
        except Exception:
            log.exception(
                "request.crashed", method=scope["method"], path=scope["path"], started=started
            )
            if not started:
                await crash_response(Request(scope))(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit; an HTTPException so that
    FastAPI's body reading hands it to the error handlers instead of calling it a parse error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimitMiddleware:
    """Multipart uploads may take ``upload_limit`` bytes, every other body ``body_limit``. A
    declared Content-Length over the limit is refused at once, unread; a chunked body is
    counted as it streams and refused as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, *, body_limit: int, upload_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_upload = headers.get("content-type", "").startswith(MULTIPART)
        limit = self.upload_limit if is_upload else self.body_limit
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse_too_large(scope, receive, send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            # Read outside the routes' error handling (a middleware, a background read).
            await _refuse_too_large(scope, receive, send, limit)


async def _refuse_too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    message = BodyTooLarge(limit).detail
    response = error_response(Request(scope), 413, "content_too_large", message)
    response.headers["Connection"] = "close"  # the unread rest of the body is not waited for
    await response(scope, receive, send)


class InputGuardMiddleware:
    """Refuses, before any route runs: NUL characters in the path, the query string or a URL-
    encoded form (422); a JSON body nested deeper than we ever nest (400) or carrying NUL
    characters (422). Other bodies, and JSON that does not parse, go on to the route, which
    answers as it always does. Needs the body limit outside it: the body is read whole here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or _has_nul(scope["query_string"]):
            await _refuse(scope, receive, send, 422, f"the address {NUL_REFUSED}")
            return
        kind = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded" and not _is_json(kind):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        refusal = _form_refusal(body) if kind.endswith("urlencoded") else _json_refusal(body)
        if refusal is not None:
            await _refuse(scope, receive, send, *refusal)
            return
        await self.app(scope, _replay(body, more, receive), send)


class SQLiteWriteQueueMiddleware:
    """SQLite has one writer at a time, and a request that may write takes the lock when it
    begins (IMMEDIATE). Waiting for it in SQLite's busy handler held a worker thread per
    waiter, while the request holding the lock still needed a thread for its next step (each
    dependency and the route run in one each): under load writes stalled for seconds, and with
    fewer threads than waiters they deadlocked until the busy timeout. Here write requests
    wait their turn on the event loop, holding no thread, and go on in arrival order. The body
    is read first (bounded by the body limit outside) so that a slow upload holds no one up.
    GET, HEAD and OPTIONS only read and never wait; the vendor sandboxes keep no data here and
    are called by requests that hold the turn."""

    def __init__(self, app: ASGIApp, *, exempt_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.exempt_prefixes = exempt_prefixes
        self.turn = anyio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"].startswith(self.exempt_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        async with self.turn:
            await self.app(scope, _replay(body, complete, receive), send)


def _is_json(kind: str) -> bool:
    return kind == "application/json" or kind.endswith("+json")


def _has_nul(encoded: bytes) -> bool:
    return b"%00" in encoded or b"\x00" in encoded


def _form_refusal(body: bytes) -> tuple[int, str] | None:
    return (422, f"the form {NUL_REFUSED}") if _has_nul(body) else None


def _json_refusal(body: bytes) -> tuple[int, str] | None:
    try:
        document = load_untrusted_json(body, max_bytes=len(body))
    except JsonNestedTooDeep as exc:
        return 400, exc.message
    except UntrustedJsonError:
        return None  # unparseable JSON is the route's to explain (FastAPI says where it broke)
    for _depth, path, value in walk(document):
        if isinstance(value, str) and "\x00" in value:
            return 422, f"{path or 'body'} {NUL_REFUSED}"
    return None


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body (bounded by the body limit outside), and whether it arrived complete
    (False: the client went away, which the route then hears about)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent or not complete:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    code = "invalid_json" if status == 400 else "validation_failed"
    await error_response(Request(scope), status, code, message)(scope, receive, send)
