"""Teams, their members and a job in a team, for the team tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.auth.service import principal_for
from roofops.models.branch import Branch
from roofops.models.enums import ActorType, JobStage, Role
from roofops.models.job import Job
from roofops.models.team import Team, TeamFunction, TeamMember
from roofops.models.user import User
from tests.factories import make_job, make_user


def make_team(
    db: Session,
    function: TeamFunction,
    members: list[User],
    *,
    branch: Branch | None = None,
    name: str | None = None,
) -> Team:
    team = Team(
        name=name or f"{function.value.title()} {len(members)}-{id(members)}",
        function=function,
        branch_id=branch.id if branch else None,
    )
    team.members = [TeamMember(user_id=user.id) for user in members]
    db.add(team)
    db.flush()
    return team


def person(user: User) -> Principal:
    return principal_for(user, actor_type=ActorType.USER)


def job_owned_by(
    db: Session, team: Team, owner: User, stage: JobStage = JobStage.CONTRACT_SIGNED
) -> Job:
    job = make_job(db, stage=stage)
    job.team_id, job.owner_id = team.id, owner.id
    db.flush()
    return job


def named_user(db: Session, role: Role, full_name: str) -> User:
    user = make_user(db, role=role)
    user.full_name = full_name
    db.flush()
    return user
