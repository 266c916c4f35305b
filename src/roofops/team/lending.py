"""Crews lent to another branch for a few days: the branch each crew works for on a day.

A loan moves a crew's work to the borrowing branch from ``starts_on`` to ``ends_on`` (both
included, company-local dates); the crew's home branch never changes. A crew is on at most one
loan a day: a loan that overlaps another of the same crew is a 409.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.exceptions import Conflict, ValidationFailed
from roofops.kit.repository import found
from roofops.kit.time import each_day, utcnow
from roofops.models.crew import Crew
from roofops.models.team import CrewLoan
from roofops.team.repository import LoanRepository
from roofops.team.schemas import CrewLoanCreate

# A loan is for covering a busy week, not a transfer: longer than this, change the crew's branch.
LONGEST_LOAN = timedelta(days=92)


class LendingService:
    def branch_on(
        self, db: Session, crew_ids: Collection[uuid.UUID], day: date
    ) -> dict[uuid.UUID, uuid.UUID]:
        """The branch each crew works for on ``day`` (see ``branches_between``)."""
        return self.branches_between(db, crew_ids, day, day)[day]

    def branches_between(
        self, db: Session, crew_ids: Collection[uuid.UUID], first: date, last: date
    ) -> dict[date, dict[uuid.UUID, uuid.UUID]]:
        """The branch each crew works for on each day of ``first..last``: the borrowing branch
        while the crew is on loan, its home branch otherwise (crews that do not exist are left
        out). Read in two queries whatever the number of days."""
        repository = LoanRepository(db)
        homes = repository.home_branches(crew_ids)
        loans = repository.lent_between(crew_ids, first, last)
        return {day: homes | _lent_on(loans, day) for day in each_day(first, last)}

    def loans(
        self,
        db: Session,
        *,
        branch_id: uuid.UUID | None = None,
        crew_id: uuid.UUID | None = None,
        ending_from: date | None = None,
    ) -> list[CrewLoan]:
        """Loans by start date, with crew (and its home branch) and borrowing branch loaded;
        ``branch_id`` matches both the lending and the borrowing branch; ``ending_from``
        leaves out loans over before that day."""
        return LoanRepository(db).listed(
            branch_id=branch_id, crew_id=crew_id, ending_from=ending_from
        )

    def get(self, db: Session, loan_id: uuid.UUID) -> CrewLoan:
        return found(LoanRepository(db).full(loan_id), "crew loan")

    def lend(self, db: Session, principal: Principal, data: CrewLoanCreate) -> CrewLoan:
        """Lend a crew: 422 for a bad range or the crew's own branch, 409 when the crew is
        already lent on any of those days."""
        principal.require(Permission.PLAN_DISPATCH)
        repository = LoanRepository(db)
        crew = _lendable_crew(repository, data.crew_id)
        _check_range(data.starts_on, data.ends_on)
        _check_branch(repository, crew, data.to_branch_id)
        _refuse_overlap(repository, crew, data.starts_on, data.ends_on)
        loan = repository.add(
            CrewLoan(**data.model_dump(), created_at=utcnow(), created_by_id=principal.user_id)
        )
        audit_service.created(db, principal, "crew_loan", loan.id)
        return self.get(db, loan.id)

    def end(self, db: Session, principal: Principal, loan_id: uuid.UUID) -> None:
        """Call a loan off: one that has not started is deleted, one under way ends
        yesterday (the days worked stay on record); 409 for a loan already over."""
        principal.require(Permission.PLAN_DISPATCH)
        repository = LoanRepository(db)
        loan = self.get(db, loan_id)
        today = company_service.today(db)
        if loan.ends_on < today:
            raise Conflict("this loan is already over", field="loan_id")
        if loan.starts_on >= today:
            repository.delete(loan)
            audit_service.record(
                db,
                principal,
                action="crew_loan.deleted",
                entity_type="crew_loan",
                entity_id=loan_id,
            )
            return
        old_end, loan.ends_on = loan.ends_on, today - timedelta(days=1)
        audit_service.record(
            db,
            principal,
            action="crew_loan.ended",
            entity_type="crew_loan",
            entity_id=loan_id,
            changes={"ends_on": {"old": old_end.isoformat(), "new": loan.ends_on.isoformat()}},
        )
        db.flush()


def _lent_on(loans: list[CrewLoan], day: date) -> dict[uuid.UUID, uuid.UUID]:
    return {
        loan.crew_id: loan.to_branch_id for loan in loans if loan.starts_on <= day <= loan.ends_on
    }


def _lendable_crew(repository: LoanRepository, crew_id: uuid.UUID) -> Crew:
    crew = repository.crew_for_update(crew_id)
    if crew is None:
        raise ValidationFailed("no crew with this id", field="crew_id")
    if not crew.is_active:
        raise ValidationFailed(f"{crew.name} is inactive: it cannot be lent", field="crew_id")
    return crew


def _check_range(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationFailed("the loan must end on or after its first day", field="ends_on")
    if ends_on - starts_on >= LONGEST_LOAN:
        raise ValidationFailed(
            f"a loan lasts at most {LONGEST_LOAN.days} days; move the crew to the branch instead",
            field="ends_on",
        )


def _check_branch(repository: LoanRepository, crew: Crew, branch_id: uuid.UUID) -> None:
    branch = repository.branch(branch_id)
    if branch is None or not branch.is_active:
        raise ValidationFailed("no active branch with this id", field="to_branch_id")
    if branch_id == crew.branch_id:
        raise ValidationFailed(
            f"{crew.name} already belongs to {branch.name}", field="to_branch_id"
        )


def _refuse_overlap(repository: LoanRepository, crew: Crew, starts_on: date, ends_on: date) -> None:
    clash = repository.overlapping(crew.id, starts_on, ends_on)
    if clash is not None:
        raise Conflict(
            f"{crew.name} is already lent to {clash.to_branch.name} from "
            f"{clash.starts_on.isoformat()} to {clash.ends_on.isoformat()}",
            field="starts_on",
            loan_id=str(clash.id),
        )


lending_service = LendingService()
