"""The demo's fake vendors in a process of their own, for `roofops serve` with several workers.

A fake keeps its records in memory (consents, tokens, invoices pushed to it), so web workers
that each built their own copy would disagree: a token one copy issued is unknown to the next.
`roofops serve` starts this process once; every worker forwards ``/sandbox/`` to it
(``SandboxProxy``), and the demo's connections keep pointing at the server's own address.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from roofops.config import Settings, get_settings
from roofops.db import session_factory, session_scope
from roofops.logging import configure_logging, get_logger
from roofops.sandbox.demo_company import demo_company
from roofops.sandbox.mount import mount_sandboxes
from roofops.sandbox.server import answers, free_port

log = get_logger(__name__)
START_TIMEOUT = 60.0
# A fake may wait for its build (a large demo takes a while) before it answers.
PROXY_TIMEOUT = httpx.Timeout(180.0, connect=5.0)
# Hop-by-hop headers, and those the proxy's own response sets again (httpx decodes the body).
NOT_FORWARDED = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"transfer-encoding",
        b"content-length",
        b"content-encoding",
        b"upgrade",
    }
)


@contextmanager
def sandboxes_in_own_process(settings: Settings) -> Iterator[str | None]:
    """While the block runs, the demo's fakes are served by a child process: yields its base
    URL for the workers' proxies, or None when the database holds no demo company."""
    if not _holds_demo(settings):
        yield None
        return
    port = free_port()
    command = [sys.executable, "-m", "roofops.sandbox.process", str(port), str(os.getpid())]
    child = subprocess.Popen(command)  # noqa: S603 (our own interpreter and module)
    try:
        _wait_until_listening(child, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.wait(timeout=15)


def _holds_demo(settings: Settings) -> bool:
    with session_scope(settings.database_url) as db:
        return demo_company(db) is not None


def _wait_until_listening(child: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not answers("127.0.0.1", port):
        if child.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the demo's sandbox process did not start")
        time.sleep(0.1)


class SandboxProxy:
    """ASGI app forwarding each request, path and Host header unchanged, to the sandbox process
    (the fakes build the links on their pages from the address the browser used)."""

    def __init__(self, upstream: str) -> None:
        self._client = httpx.AsyncClient(base_url=upstream, timeout=PROXY_TIMEOUT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        path = scope.get("raw_path") or scope["path"].encode()
        answer = await self._client.request(
            request.method,
            httpx.URL(path=path.decode("latin-1"), query=scope["query_string"]),
            headers=[(name, value) for name, value in scope["headers"] if name != b"connection"],
            content=await request.body(),
        )
        response = Response(answer.content, status_code=answer.status_code)
        response.raw_headers = [
            *(pair for pair in answer.headers.raw if pair[0].lower() not in NOT_FORWARDED),
            (b"content-length", str(len(answer.content)).encode()),
        ]
        await response(scope, receive, send)


def _exit_with(parent_pid: int) -> None:
    """A sandbox process outliving its server (killed with SIGKILL, say) would hold its port."""
    while os.getppid() == parent_pid:
        time.sleep(1)
    os._exit(0)


def main() -> None:
    port, parent_pid = int(sys.argv[1]), int(sys.argv[2])
    settings = get_settings()
    configure_logging(settings)
    threading.Thread(target=_exit_with, args=(parent_pid,), daemon=True).start()
    app = Starlette()
    mount_sandboxes(app, session_factory(settings.database_url), settings)
    log.info("sandbox.process.started", port=port)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")


if __name__ == "__main__":
    main()
