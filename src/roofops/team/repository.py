"""Queries for teams, job ownership, handoffs and crew loans."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from roofops.kit.repository import Repository, in_chunks
from roofops.models.branch import Branch
from roofops.models.crew import Crew
from roofops.models.enums import JobStage
from roofops.models.job import Job
from roofops.models.team import CrewLoan, HandoffStatus, JobHandoff, Team, TeamMember
from roofops.models.user import User

# A job is "open" for its team until it is paid, lost or cancelled.
CLOSED_STAGES = (JobStage.PAID, JobStage.LOST, JobStage.CANCELLED)
TEAM_LOADS = (selectinload(Team.branch), selectinload(Team.members).selectinload(TeamMember.user))
HANDOFF_LOADS = (
    selectinload(JobHandoff.job),
    selectinload(JobHandoff.items),
    selectinload(JobHandoff.from_team),
    selectinload(JobHandoff.to_team),
    selectinload(JobHandoff.from_owner),
    selectinload(JobHandoff.to_owner),
)


class TeamRepository(Repository[Team]):
    model = Team

    def listed(self, branch_id: uuid.UUID | None, active: bool | None) -> list[Team]:
        """Teams by function then name; a branch filter keeps the company-wide teams too."""
        statement = sa.select(Team).options(*TEAM_LOADS)
        if branch_id is not None:
            statement = statement.where(
                sa.or_(Team.branch_id == branch_id, Team.branch_id.is_(None))
            )
        if active is not None:
            statement = statement.where(Team.is_active.is_(active))
        return list(self.session.scalars(statement.order_by(Team.function, Team.name, Team.id)))

    def full(self, team_id: uuid.UUID) -> Team | None:
        return self.session.scalar(
            sa.select(Team)
            .options(*TEAM_LOADS)
            .where(Team.id == team_id)
            .execution_options(populate_existing=True)
        )

    def by_name(self, name: str) -> Team | None:
        return self.session.scalar(sa.select(Team).where(sa.func.lower(Team.name) == name.lower()))

    def is_member(self, team_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        statement = sa.select(TeamMember.id).where(
            TeamMember.team_id == team_id, TeamMember.user_id == user_id
        )
        return self.session.scalar(statement) is not None

    def users(self, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, User]:
        found: dict[uuid.UUID, User] = {}
        for chunk in in_chunks(user_ids):
            for user in self.session.scalars(sa.select(User).where(User.id.in_(chunk))):
                found[user.id] = user
        return found

    def active_users(self) -> list[User]:
        statement = sa.select(User).where(User.is_active.is_(True))
        return list(self.session.scalars(statement.order_by(User.full_name, User.email)))


class OwnershipRepository(Repository[Job]):
    model = Job

    def job_for_update(self, job_id: uuid.UUID) -> Job | None:
        """The job, locked on PostgreSQL so two handoffs of it queue up (SQLite serializes
        writers anyway)."""
        return self.session.scalar(
            sa.select(Job)
            .where(Job.id == job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    def assign(
        self,
        stages: Collection[JobStage],
        team_id: uuid.UUID,
        owner_id: uuid.UUID,
        branch_id: uuid.UUID | None = None,
    ) -> None:
        """Give every job in ``stages`` (of ``branch_id``, when given) to a team and owner in
        one statement: the demo's starting point, not a handoff."""
        statement = sa.update(Job).where(Job.stage.in_(list(stages)))
        if branch_id is not None:
            statement = statement.where(Job.branch_id == branch_id)
        # updated_at stays as it was: the demo keeps its jobs row for row as generated.
        values = {"team_id": team_id, "owner_id": owner_id, "updated_at": Job.updated_at}
        self.session.execute(statement.values(values))

    def newest_in_stage(self, stage: JobStage, limit: int) -> list[Job]:
        statement = (
            sa.select(Job)
            .where(Job.stage == stage, Job.archived_at.is_(None), Job.team_id.is_not(None))
            .order_by(Job.stage_changed_at.desc(), Job.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def open_jobs_of_teams(
        self, team_ids: Collection[uuid.UUID], branch_id: uuid.UUID | None
    ) -> list[Job]:
        if not team_ids:
            return []
        statement = self._open_jobs().where(Job.team_id.in_(list(team_ids)))
        if branch_id is not None:
            statement = statement.where(Job.branch_id == branch_id)
        return list(self.session.scalars(statement))

    def open_jobs_owned_by(self, user_id: uuid.UUID) -> list[Job]:
        return list(self.session.scalars(self._open_jobs().where(Job.owner_id == user_id)))

    def _open_jobs(self) -> sa.Select[Job]:
        return (
            sa.select(Job)
            .where(Job.archived_at.is_(None), Job.stage.not_in(CLOSED_STAGES))
            .order_by(Job.stage_changed_at, Job.id)
        )


class HandoffRepository(Repository[JobHandoff]):
    model = JobHandoff

    def full(self, handoff_id: uuid.UUID) -> JobHandoff | None:
        return self.session.scalar(
            sa.select(JobHandoff)
            .options(*HANDOFF_LOADS)
            .where(JobHandoff.id == handoff_id)
            .execution_options(populate_existing=True)
        )

    def of_job(self, job_id: uuid.UUID) -> list[JobHandoff]:
        """The job's handoffs, newest first."""
        statement = (
            sa.select(JobHandoff)
            .options(*HANDOFF_LOADS)
            .where(JobHandoff.job_id == job_id)
            .order_by(JobHandoff.started_at.desc(), JobHandoff.id)
        )
        return list(self.session.scalars(statement))

    def open_of_job(self, job_id: uuid.UUID) -> JobHandoff | None:
        return self.session.scalar(
            sa.select(JobHandoff).where(
                JobHandoff.job_id == job_id, JobHandoff.status == HandoffStatus.OPEN
            )
        )

    def open_touching(self, team_ids: Collection[uuid.UUID]) -> list[JobHandoff]:
        """Open handoffs to or from any of the teams, oldest first, with their jobs."""
        if not team_ids:
            return []
        wanted = list(team_ids)
        statement = (
            sa.select(JobHandoff)
            .options(*HANDOFF_LOADS)
            .where(
                JobHandoff.status == HandoffStatus.OPEN,
                sa.or_(JobHandoff.to_team_id.in_(wanted), JobHandoff.from_team_id.in_(wanted)),
            )
            .order_by(JobHandoff.started_at, JobHandoff.id)
        )
        return list(self.session.scalars(statement))


LOAN_LOADS = (
    selectinload(CrewLoan.crew).selectinload(Crew.branch),
    selectinload(CrewLoan.to_branch),
)


class LoanRepository(Repository[CrewLoan]):
    model = CrewLoan

    def crew_for_update(self, crew_id: uuid.UUID) -> Crew | None:
        """The crew, locked on PostgreSQL: two loans of one crew are checked one after the
        other, so neither misses the other's overlap."""
        return self.session.scalar(sa.select(Crew).where(Crew.id == crew_id).with_for_update())

    def branch(self, branch_id: uuid.UUID) -> Branch | None:
        return self.session.get(Branch, branch_id)

    def overlapping(self, crew_id: uuid.UUID, starts_on: date, ends_on: date) -> CrewLoan | None:
        statement = (
            sa.select(CrewLoan)
            .options(*LOAN_LOADS)
            .where(
                CrewLoan.crew_id == crew_id,
                CrewLoan.starts_on <= ends_on,
                CrewLoan.ends_on >= starts_on,
            )
        )
        return self.session.scalar(statement.order_by(CrewLoan.starts_on).limit(1))

    def listed(
        self,
        *,
        branch_id: uuid.UUID | None,
        crew_id: uuid.UUID | None,
        ending_from: date | None,
    ) -> list[CrewLoan]:
        """Loans by start date; ``branch_id`` matches the lending or the borrowing branch."""
        statement = sa.select(CrewLoan).options(*LOAN_LOADS)
        if branch_id is not None:
            home = sa.select(Crew.id).where(Crew.branch_id == branch_id)
            statement = statement.where(
                sa.or_(CrewLoan.to_branch_id == branch_id, CrewLoan.crew_id.in_(home))
            )
        if crew_id is not None:
            statement = statement.where(CrewLoan.crew_id == crew_id)
        if ending_from is not None:
            statement = statement.where(CrewLoan.ends_on >= ending_from)
        return list(self.session.scalars(statement.order_by(CrewLoan.starts_on, CrewLoan.id)))

    def full(self, loan_id: uuid.UUID) -> CrewLoan | None:
        return self.session.scalar(
            sa.select(CrewLoan).options(*LOAN_LOADS).where(CrewLoan.id == loan_id)
        )

    def home_branches(self, crew_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        homes: dict[uuid.UUID, uuid.UUID] = {}
        for chunk in in_chunks(crew_ids):
            rows = self.session.execute(
                sa.select(Crew.id, Crew.branch_id).where(Crew.id.in_(chunk))
            )
            homes.update(dict(rows.all()))
        return homes

    def lent_between(
        self, crew_ids: Collection[uuid.UUID], first: date, last: date
    ) -> list[CrewLoan]:
        """The loans of these crews that overlap ``first..last``."""
        loans: list[CrewLoan] = []
        for chunk in in_chunks(crew_ids):
            loans.extend(
                self.session.scalars(
                    sa.select(CrewLoan).where(
                        CrewLoan.crew_id.in_(chunk),
                        CrewLoan.starts_on <= last,
                        CrewLoan.ends_on >= first,
                    )
                )
            )
        return loans
