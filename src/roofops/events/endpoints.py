"""GET /api/v1/events: a Server-Sent Events stream of live events (htmx SSE extension, machines)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sse_starlette.sse import EventSourceResponse

from roofops.auth.dependencies import requires_briefly
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.events.hub import EventHub, get_hub
from roofops.models.enums import Role

router = APIRouter(tags=["events"])
PING_SECONDS = 15


@router.get(
    "/events",
    summary="Live events as Server-Sent Events",
    description="Each SSE event is named by its topic (e.g. `job.stage_changed`) and carries JSON "
    "with ids. `topics` is a comma-separated filter; empty means every topic. A caller gets only "
    "the events its role may see: `job.stage_changed` needs view_jobs, `sync.progress` "
    "view_integrations (as the runs themselves).",
    response_class=EventSourceResponse,
)
async def stream_events(
    request: Request,
    principal: Annotated[Principal, Depends(requires_briefly(Permission.USE_ACCOUNT))],
    topics: Annotated[str, Query(max_length=500)] = "",
) -> EventSourceResponse:
    hub = get_hub()
    hub.listen(request.app.state.settings.database_url)
    wanted = frozenset(topic.strip() for topic in topics.split(",") if topic.strip())
    return EventSourceResponse(_events(hub, wanted, principal.role), ping=PING_SECONDS)


async def _events(
    hub: EventHub, topics: frozenset[str], role: Role
) -> AsyncIterator[dict[str, str]]:
    with hub.subscribe(topics, role) as subscription:
        while True:
            topic, payload = await subscription.queue.get()
            yield {"event": topic, "data": json.dumps(payload)}
