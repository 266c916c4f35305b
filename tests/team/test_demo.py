"""The demo company's teams: every open job has a team and owner, some handoffs are under way
and one crew is on loan this week."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models import Job, JobStage
from roofops.models.team import HandoffStatus, JobHandoff, TeamFunction
from roofops.sandbox.demo import build_demo
from roofops.team.lending import lending_service
from roofops.team.service import team_service

AS_OF = date(2026, 6, 30)


def test_the_demo_has_teams_owners_handoffs_and_a_loan(db: Session) -> None:
    build_demo(db, size=0.05, seed=3, as_of=AS_OF)
    teams = team_service.list(db)
    functions = [team.function for team in teams]
    assert functions.count(TeamFunction.SALES) == 1
    assert functions.count(TeamFunction.FINANCE) == 1
    assert functions.count(TeamFunction.PRODUCTION) >= 3  # one per branch
    unowned = db.scalars(
        sa.select(Job.number).where(
            Job.owner_id.is_(None), Job.stage.not_in([JobStage.LOST, JobStage.CANCELLED])
        )
    ).all()
    assert unowned == []
    handoffs = db.scalars(sa.select(JobHandoff)).all()
    assert handoffs
    assert {handoff.status for handoff in handoffs} == {HandoffStatus.OPEN}
    loans = lending_service.loans(db)
    assert [(loan.starts_on, loan.ends_on) for loan in loans] == [
        (AS_OF, AS_OF + timedelta(days=2))
    ]
    lent = lending_service.branch_on(db, [loans[0].crew_id], AS_OF)
    assert lent == {loans[0].crew_id: loans[0].to_branch_id}
