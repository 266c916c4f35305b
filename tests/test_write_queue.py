"""On SQLite, write requests reach the routes one at a time, in arrival order, holding no worker
thread while they wait; reads and the vendor sandboxes never wait (roofops.middleware)."""

from __future__ import annotations

import anyio
import httpx
import pytest
from starlette.types import Receive, Scope, Send

from roofops.middleware import SQLiteWriteQueueMiddleware
from roofops.sandbox.mount import SANDBOX_PREFIX, SANDBOXES

pytestmark = pytest.mark.anyio


class Recorder:
    """A downstream app that notes when each request starts and ends, and holds the first
    write until told to let go."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.release = anyio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = f"{scope['method']} {scope['path']}"
        body = (await receive())["body"].decode()
        self.log.append(f"start {name} {body}".strip())
        if scope["path"] == "/hold":
            await self.release.wait()
        self.log.append(f"end {name}")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_writes_wait_their_turn_and_reads_pass(anyio_backend: str) -> None:
    recorder = Recorder()
    app = SQLiteWriteQueueMiddleware(recorder, exempt_prefixes=(SANDBOX_PREFIX,))
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        anyio.create_task_group() as group,
    ):
        group.start_soon(send, client, "POST", "/hold", "first")
        await wait_for(recorder, "start POST /hold first")
        group.start_soon(send, client, "PATCH", "/second", "second")
        await anyio.sleep(0.05)
        await client.get("/read")
        await client.post(f"{SANDBOX_PREFIX}quickbooks/oauth2/tokens", content=b"vendor")
        # The second write has not started while the first holds the turn.
        assert "start PATCH /second second" not in recorder.log
        recorder.release.set()

    assert recorder.log == [
        "start POST /hold first",
        "start GET /read",
        "end GET /read",
        f"start POST {SANDBOX_PREFIX}quickbooks/oauth2/tokens vendor",
        f"end POST {SANDBOX_PREFIX}quickbooks/oauth2/tokens",
        "end POST /hold",
        "start PATCH /second second",
        "end PATCH /second",
    ]


def test_every_sandbox_lives_under_the_exempt_prefix() -> None:
    assert all(f"{box.path}/".startswith(SANDBOX_PREFIX) for box in SANDBOXES)


async def send(client: httpx.AsyncClient, method: str, path: str, body: str) -> None:
    await client.request(method, path, content=body.encode())


async def wait_for(recorder: Recorder, entry: str) -> None:
    with anyio.fail_after(5):
        while entry not in recorder.log:
            await anyio.sleep(0.01)
