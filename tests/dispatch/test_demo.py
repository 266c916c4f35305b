"""The demo company comes with what dispatchers work with and a published schedule."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from roofops.dispatch.service import dispatch_service
from roofops.sandbox.demo import build_demo

AS_OF = date(2026, 12, 4)


def test_the_demo_has_requirements_holidays_time_off_and_a_published_schedule(
    db: Session,
) -> None:
    build_demo(db, size=0.1, seed=5, as_of=AS_OF)
    plan = dispatch_service.published(db)
    assert plan is not None
    assert (plan.horizon_start, plan.solver) == (AS_OF, "greedy")
    entries = dispatch_service.entries(db, plan.id)
    assert sum(1 for e in entries if e.crew_id is not None) >= 5
    assert all(e.reason for e in entries)
    board = dispatch_service.board(db, AS_OF, 28)
    assert "Christmas Day" in board.holidays.values()
    assert board.time_off
    gutters = [e for e in entries if e.phase == "gutters"]
    assert gutters, "some re-roofs have a gutters phase"
