"""The crew world several performance tests share (see tests/performance/world.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.performance.world import CrewWorld, build_crew_world


@pytest.fixture
def crew_world(db: Session) -> CrewWorld:
    return build_crew_world(db)
