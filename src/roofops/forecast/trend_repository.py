"""The trends' monthly raw facts, in SQL: leads, signings, invoices and completed jobs.

A job's lead date is its first stage event (the CRM's history), or its creation when it has none;
its signing and completion are its first move into ``contract_signed`` and ``completed``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models.enums import JobStage
from roofops.models.financials import JobFinancials
from roofops.models.invoice import Invoice, InvoiceStatus
from roofops.models.job import Job, JobStageEvent


@dataclass(frozen=True)
class Signing:
    """A dated contract amount: a signing, or a job invoiced outside roofops."""

    on: datetime
    contract_cents: int | None


@dataclass(frozen=True)
class Completion:
    """A job completed on ``on``: its signing (if recorded) and its money, to judge its margin."""

    job_id: uuid.UUID
    on: datetime
    signed_on: datetime | None
    stage: JobStage
    stage_changed_at: datetime
    cost_to_date_cents: int | None
    actual_margin: Decimal | None


class TrendRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lead_dates(self, first: datetime, end: datetime) -> list[datetime]:
        first_event = (
            sa.select(JobStageEvent.job_id, sa.func.min(JobStageEvent.occurred_at).label("on"))
            .group_by(JobStageEvent.job_id)
            .subquery()
        )
        lead_on = sa.func.coalesce(first_event.c.on, Job.created_at)
        statement = (
            sa.select(lead_on)
            .select_from(Job)
            .outerjoin(first_event, first_event.c.job_id == Job.id)
            .where(lead_on >= first, lead_on < end)
        )
        return list(self.session.scalars(statement))

    def signings(self, first: datetime, end: datetime) -> list[Signing]:
        signed = self._first_move(JobStage.CONTRACT_SIGNED)
        statement = (
            sa.select(signed.c.on, Job.contract_cents)
            .join(Job, Job.id == signed.c.job_id)
            .where(signed.c.on >= first, signed.c.on < end)
        )
        return [Signing(row.on, row.contract_cents) for row in self.session.execute(statement)]

    def invoices(self, first: date, end: date) -> list[tuple[date, int]]:
        """Issue date and total of every invoice not voided, issued in ``first .. end``."""
        statement = sa.select(Invoice.issue_date, Invoice.total_cents).where(
            Invoice.status != InvoiceStatus.VOID,
            Invoice.issue_date >= first,
            Invoice.issue_date < end,
        )
        return [(row.issue_date, row.total_cents) for row in self.session.execute(statement)]

    def invoiced_elsewhere(self, first: datetime, end: datetime) -> list[Signing]:
        """Jobs first moved to ``invoiced`` in ``first .. end`` with no invoice in roofops (the
        CRM or the books billed them): the move's date and the job's contract amount."""
        invoiced = self._first_move(JobStage.INVOICED)
        has_invoice = sa.exists().where(
            Invoice.job_id == invoiced.c.job_id, Invoice.status != InvoiceStatus.VOID
        )
        statement = (
            sa.select(invoiced.c.on, Job.contract_cents)
            .join(Job, Job.id == invoiced.c.job_id)
            .where(invoiced.c.on >= first, invoiced.c.on < end, ~has_invoice)
        )
        return [Signing(row.on, row.contract_cents) for row in self.session.execute(statement)]

    def completions(self, first: datetime, end: datetime) -> list[Completion]:
        completed = self._first_move(JobStage.COMPLETED)
        signed = self._first_move(JobStage.CONTRACT_SIGNED)
        statement = (
            sa.select(
                Job.id,
                completed.c.on,
                signed.c.on.label("signed_on"),
                Job.stage,
                Job.stage_changed_at,
                JobFinancials.cost_to_date_cents,
                JobFinancials.actual_margin,
            )
            .select_from(completed)
            .join(Job, Job.id == completed.c.job_id)
            .outerjoin(signed, signed.c.job_id == Job.id)
            .outerjoin(JobFinancials, JobFinancials.job_id == Job.id)
            .where(completed.c.on >= first, completed.c.on < end)
        )
        return [Completion(*row) for row in self.session.execute(statement)]

    def _first_move(self, stage: JobStage) -> sa.Subquery:
        return (
            sa.select(JobStageEvent.job_id, sa.func.min(JobStageEvent.occurred_at).label("on"))
            .where(JobStageEvent.to_stage == stage)
            .group_by(JobStageEvent.job_id)
            .subquery()
        )
