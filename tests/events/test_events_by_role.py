"""The live stream sends each subscriber only what its role may see: sync progress goes to the
roles that may read the runs, not to a crew lead (who gets 403 on them)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from roofops.auth.permissions import Permission
from roofops.auth.service import auth_service, user_service
from roofops.config import Settings
from roofops.db import session_scope
from roofops.events.bus import publish
from roofops.events.hub import Subscription, get_hub
from roofops.models import Role, User
from tests.events.server import bearer
from tests.events.test_events import StreamReader
from tests.web.live_server import serve

JOB_EVENT = ("job.stage_changed", Permission.VIEW_JOBS)
RUN_EVENT = ("sync.progress", Permission.VIEW_INTEGRATIONS)


@pytest.fixture
def tokens(database_url: str) -> Iterator[dict[Role, str]]:
    roles = (Role.OFFICE, Role.CREW_LEAD)
    emails = {role: f"sse-{role.value}-{uuid.uuid4().hex[:6]}@example.com" for role in roles}
    with session_scope(database_url) as db:
        tokens = {}
        for role in roles:
            user, _ = user_service.create(db, email=emails[role], role=role)
            tokens[role] = auth_service.create_api_token(db, user_id=user.id, name="sse").raw_token
    yield tokens
    with session_scope(database_url) as db:
        db.execute(sa.delete(User).where(User.email.in_(emails.values())))


def _publish_both(database_url: str, round_: int) -> None:
    with session_scope(database_url) as db:
        for topic, permission in (RUN_EVENT, JOB_EVENT):
            publish(db, topic, {"round": round_}, seen_with=permission)


def _collect_until_job_event(reader: StreamReader, seconds: float) -> list[str] | None:
    """Topics received up to and including the job event; None when it never came."""
    topics: list[str] = []
    while (event := reader.next_event(seconds)) is not None:
        topics.append(event[0])
        if event[0] == JOB_EVENT[0]:
            return topics
    return None


@pytest.mark.slow
def test_sync_progress_reaches_only_the_roles_that_may_read_runs(
    database_url: str, settings: Settings, tokens: dict[Role, str]
) -> None:
    try:
        with serve(settings, database_url) as base:
            readers = {role: StreamReader(f"{base}/api/v1/events", t) for role, t in tokens.items()}
            for reader in readers.values():
                reader.start()
                assert reader.connected.wait(10)
            received = _rounds(database_url, readers)
            refused = httpx.get(
                f"{base}/api/v1/integrations/quickbooks/runs",
                headers=bearer(tokens[Role.CREW_LEAD]),
            )
    finally:
        get_hub().stop_listening(database_url)  # the stream started it on PostgreSQL
    assert refused.status_code == 403
    assert received[Role.OFFICE] == [RUN_EVENT[0], JOB_EVENT[0]]
    assert received[Role.CREW_LEAD] == [JOB_EVENT[0]]


def _rounds(database_url: str, readers: dict[Role, StreamReader]) -> dict[Role, list[str]]:
    """Publish until both streams are registered (they are just after their headers go out),
    then return what each received of one clean round."""
    for round_ in range(20):
        _publish_both(database_url, round_)
        got = {role: _collect_until_job_event(reader, 0.5) for role, reader in readers.items()}
        if all(topics is not None for topics in got.values()):
            _publish_both(database_url, 99)
            final = {role: _collect_until_job_event(r, 5) for role, r in readers.items()}
            return {role: topics or [] for role, topics in final.items()}
    raise AssertionError("the streams never received an event")


def test_a_subscription_wants_its_topics_and_what_its_role_may_see() -> None:
    loop = asyncio.new_event_loop()
    try:
        crew_lead = Subscription(frozenset(), Role.CREW_LEAD, loop)
        narrowed = Subscription(frozenset({"sync.progress"}), Role.ADMIN, loop)
    finally:
        loop.close()

    assert crew_lead.wants(*JOB_EVENT)
    assert not crew_lead.wants(*RUN_EVENT)
    assert narrowed.wants(*RUN_EVENT)
    assert not narrowed.wants(*JOB_EVENT)
