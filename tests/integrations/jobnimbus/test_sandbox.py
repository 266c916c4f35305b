"""The demo's sandbox JobNimbus: the demo company is linked as if imported from it (status log,
branch map, cursors), so its first "Sync now" is an incremental sync that brings in the office's
recent moves and leaves the imported history as it was."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.demo.repository import DemoRepository
from roofops.integrations.core.runner import run_now
from roofops.integrations.jobnimbus.service import jobnimbus_service, jobnimbus_sync
from roofops.models import Branch, CrmBranchKey, JobStageEvent, SyncKind, SyncRunStatus
from roofops.sandbox.demo import build_demo
from roofops.sandbox.server import free_port, serving
from tests.integrations.jobnimbus.syncing import errors_of, run_of


@pytest.fixture
def served(
    db: Session, settings: Settings, session_maker: sessionmaker[Session]
) -> Iterator[Settings]:
    """The demo company, and the app (with its sandboxes) on a real port."""
    from roofops.app import create_app

    # The demo wants an empty database; the wipe is undone with this test's transaction.
    DemoRepository(db).wipe_business_data()
    build_demo(db, size=0.05, seed=3, as_of=date(2026, 6, 30))
    db.commit()
    port = free_port()
    local = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    with serving(create_app(local, session_maker, run_background=False), port=port):
        yield local


def test_the_first_sync_of_the_demo_is_incremental_and_keeps_the_imported_history(
    served: Settings, session_maker: sessionmaker[Session], db: Session
) -> None:
    events_before = set(db.scalars(sa.select(JobStageEvent.id)))

    run = run_of(
        session_maker,
        run_now(session_maker, served, jobnimbus_sync, full=False, triggered_by="test"),
    )

    assert run.status == SyncRunStatus.SUCCEEDED, errors_of(db, run)
    assert run.kind == SyncKind.INCREMENTAL
    assert run.requests == 4  # account settings and one page per stream
    assert run.created > 0  # the office's recent moves, as status changes
    assert events_before <= set(db.scalars(sa.select(JobStageEvent.id)))
    mapped = {
        row.name: row.branch_id
        for row in jobnimbus_service.branch_map(db).mappings
        if row.kind == CrmBranchKey.LOCATION
    }
    branches = {branch.name: branch.id for branch in db.scalars(sa.select(Branch))}
    assert mapped
    assert all(branches[name] == branch_id for name, branch_id in mapped.items())
