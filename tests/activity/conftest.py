"""People of the feed tests: a writer and the colleagues a note can mention."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.auth.service import principal_for
from roofops.models import ActorType, Role, User
from tests.factories import make_user

# The JobNimbus sandbox and a connected sync, for the feed's sync entries (test_sync_entries).
from tests.integrations.jobnimbus.conftest import (  # noqa: F401
    background_work,
    clock,
    connect,
    fake,
    running_fake,
    sleep,
    syncer,
)

# The QuickBooks sandbox with the demo's books, for the books' sync entries.
from tests.integrations.quickbooks.conftest import books, company_data, qbo, server  # noqa: F401


@dataclass(frozen=True)
class Team:
    writer: User
    olivia: User
    dan: User

    def principal(self, user: User) -> Principal:
        return principal_for(user, actor_type=ActorType.USER)


@pytest.fixture
def team(db: Session) -> Team:
    writer = make_user(db, role=Role.DISPATCHER, email="wes.writer@summit.example")
    olivia = make_user(db, role=Role.OFFICE, email="olivia@summit.example")
    olivia.full_name = "Olivia Office"
    dan = make_user(db, role=Role.CREW_LEAD, email="dan@summit.example")
    dan.full_name = "Dan Lead"
    db.flush()
    return Team(writer, olivia, dan)
