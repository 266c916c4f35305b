"""The demo company's teams: who owns each job, a few handoffs under way, one crew on loan.

Built from the demo's sign-ins (one per role), after they exist: a company-wide sales team
(the office), one production team per branch (the dispatcher), and a finance team. Every job
not lost or cancelled gets the team and owner of its stage; the newest contract-signed and
completed jobs are being handed on, their checklists partly ticked; the second branch's first
crew works for the first branch for three days from the demo's as-of date.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.auth.service import principal_for, user_service
from roofops.crew.service import branch_service, crew_service
from roofops.demo.catalog import DEMO_EMAIL_DOMAIN
from roofops.models.branch import Branch
from roofops.models.enums import ActorType, JobStage, Role
from roofops.models.team import Team, TeamFunction
from roofops.models.user import User
from roofops.team.lending import lending_service
from roofops.team.schemas import CrewLoanCreate, HandoffCreate, TeamCreate
from roofops.team.service import team_service

SALES_STAGES = (JobStage.LEAD, JobStage.INSPECTION, JobStage.ESTIMATE, JobStage.CONTRACT_SIGNED)
PRODUCTION_STAGES = (
    JobStage.MATERIALS_ORDERED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
    JobStage.COMPLETED,
)
FINANCE_STAGES = (JobStage.INVOICED, JobStage.PAID)
OPEN_HANDOFFS = 3  # of each kind: sales -> production and production -> finance
TICKED = 3  # checklist items already done on each


def build_teams(db: Session, as_of: date) -> None:
    """The demo's teams, owners, open handoffs and crew loan (see the module docstring)."""
    people = {role: _demo_user(db, role) for role in (Role.OFFICE, Role.DISPATCHER, Role.FINANCE)}
    branches = branch_service.list(db, active=True)
    sales = _team(db, "Sales", TeamFunction.SALES, [people[Role.OFFICE]])
    finance = _team(db, "Finance", TeamFunction.FINANCE, [people[Role.FINANCE]])
    team_service.seed_owners(db, SALES_STAGES, sales.id, people[Role.OFFICE].id)
    team_service.seed_owners(db, FINANCE_STAGES, finance.id, people[Role.FINANCE].id)
    production = [_production_team(db, branch, people[Role.DISPATCHER]) for branch in branches]
    _hand_on(db, JobStage.CONTRACT_SIGNED, production, people[Role.OFFICE])
    _hand_on(db, JobStage.COMPLETED, [finance], people[Role.DISPATCHER])
    _lend_a_crew(db, branches, as_of)


def _demo_user(db: Session, role: Role) -> User:
    email = f"{role.value.replace('_', '-')}@{DEMO_EMAIL_DOMAIN}"
    user = user_service.find_by_email(db, email)
    assert user is not None, "the demo's sign-ins are made before its teams"
    return user


def _team(
    db: Session,
    name: str,
    function: TeamFunction,
    members: list[User],
    branch: Branch | None = None,
) -> Team:
    data = TeamCreate(
        name=name,
        function=function,
        branch_id=branch.id if branch else None,
        member_ids=[user.id for user in members],
    )
    return team_service.create(db, SYSTEM, data)


def _production_team(db: Session, branch: Branch, manager: User) -> Team:
    team = _team(db, f"Production {branch.name}", TeamFunction.PRODUCTION, [manager], branch)
    team_service.seed_owners(db, PRODUCTION_STAGES, team.id, manager.id, branch.id)
    return team


def _hand_on(db: Session, stage: JobStage, targets: list[Team], sender: User) -> None:
    """The newest jobs of ``stage`` start moving to the target team of their branch."""
    by_branch = {team.branch_id: team for team in targets}
    for job in team_service.newest_owned_in_stage(db, stage, OPEN_HANDOFFS):
        target = by_branch.get(job.branch_id) or by_branch.get(None) or targets[0]
        owner_id = team_service.get(db, target.id).members[0].user_id
        data = HandoffCreate(to_team_id=target.id, to_owner_id=owner_id, note="")
        by = principal_for(sender, actor_type=ActorType.USER)
        handoff = team_service.start_handoff(db, by, job.id, data, mail=False)
        for item in handoff.items[:TICKED]:
            team_service.tick(db, SYSTEM, job.id, handoff.id, item.code, done=True)


def _lend_a_crew(db: Session, branches: list[Branch], as_of: date) -> None:
    if len(branches) < 2:
        return
    lender, borrower = branches[1], branches[0]
    crew = next(
        (c for c in crew_service.pickable(db) if c.branch_id == lender.id and c.is_active), None
    )
    if crew is None:
        return
    loan = CrewLoanCreate(
        crew_id=crew.id,
        to_branch_id=borrower.id,
        starts_on=as_of,
        ends_on=as_of + timedelta(days=2),
        note=f"Storm backlog at {borrower.name}",
    )
    lending_service.lend(db, SYSTEM, loan)
