"""Counts and times every HTTP request by route template (pure ASGI: SSE streams pass through)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roofops.health.metrics import Metrics

UNMATCHED = "<unmatched>"
# Anything else a client invents is counted as OTHER, so it cannot grow the series without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_remember(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_remember)
        finally:
            seconds = time.perf_counter() - started
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self.metrics.observe(method, route_template(scope), status, seconds)


def route_template(scope: Scope) -> str:
    """``/api/v1/jobs/{job_id}``, never the raw path: one series per route, not per id.

    Rebuilt from the path and its parameters because an included router's route only knows its
    own part of the path; a mount (static files) counts as one route.
    """
    if "route" in scope:
        names = {str(value): f"{{{name}}}" for name, value in scope.get("path_params", {}).items()}
        return "/".join(names.get(part, part) for part in scope["path"].split("/"))
    if "endpoint" in scope and scope.get("root_path"):
        return f"{scope['root_path']}/{{path}}"
    return UNMATCHED
