"""Job financials: placeholders, figures from the books, manual overrides, profitability.

Precedence of a figure: MANUAL (until someone clears it) > the books (QUICKBOOKS/XERO) >
PLACEHOLDER (estimated from squares x the price list). Every change lands in the audit log
(manual ones with their reason) and, when the job's numbers moved, in a snapshot for trends.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.exceptions import NotFound, ValidationFailed
from roofops.financials.figures import (
    FIGURES,
    Figure,
    Totals,
    cleared,
    placeholder_figures,
    synced,
    totals,
)
from roofops.financials.repository import (
    AccountingDocumentRepository,
    CostMappingRepository,
    FinancialsRepository,
)
from roofops.kit.time import utcnow
from roofops.models.enums import (
    CostCategory,
    FigureSource,
    FinancialSyncStatus,
    JobType,
    Material,
    Provider,
)
from roofops.models.financials import (
    AccountingInvoice,
    CostCategoryMapping,
    CostLine,
    JobFinancials,
    JobFinancialSnapshot,
)
from roofops.models.job import Job

Prices = Mapping[tuple[JobType, Material], int]
BooksFigures = Mapping[str, int]  # figure name -> cents, every figure present


@dataclass(frozen=True)
class JobProfitability:
    job: Job
    financials: JobFinancials
    figures: dict[str, Figure]
    totals: Totals
    estimate: Totals
    invoices: list[AccountingInvoice]
    cost_lines: list[CostLine]
    history: list[JobFinancialSnapshot]


def figures_of(row: JobFinancials) -> dict[str, Figure]:
    return {
        name: Figure(row.amount(name), row.source(name), getattr(row, f"{name}_synced_cents"))
        for name in FIGURES
    }


def _write(row: JobFinancials, name: str, figure: Figure) -> None:
    setattr(row, f"{name}_cents", figure.cents)
    setattr(row, f"{name}_source", figure.source)
    setattr(row, f"{name}_synced_cents", figure.synced_cents)


class FinancialsService:
    # ----- rows and placeholders ----------------------------------------------------------
    def ensure_all(self, db: Session) -> int:
        """Placeholder figures for every job that has none yet; returns how many were added."""
        repository = FinancialsRepository(db)
        jobs = repository.jobs_without_financials()
        if jobs:
            prices = repository.prices()
            repository.add_all([self._placeholder_row(job, prices) for job in jobs])
        return len(jobs)

    def _placeholder_row(self, job: Job, prices: Prices) -> JobFinancials:
        estimate = placeholder_figures(estimated_contract(job, prices))
        row = JobFinancials(job_id=job.id, sync_status=FinancialSyncStatus.NEVER, sync_error="")
        for name in FIGURES:
            _write(row, name, Figure(estimate[name], FigureSource.PLACEHOLDER))
        self._recompute(row, estimate)
        return row

    def _recompute(self, row: JobFinancials, estimate: Mapping[str, int | None]) -> None:
        now = totals(figures_of(row))
        row.total_cost_cents, row.gross_profit_cents = now.total_cost_cents, now.gross_profit_cents
        row.margin = now.margin
        row.estimated_contract_cents = estimate["contract"]
        costs = [estimate[name] for name in FIGURES[1:] if estimate[name] is not None]
        row.estimated_cost_cents = sum(c for c in costs if c is not None) if costs else None

    # ----- from the books -----------------------------------------------------------------
    def apply_books(
        self,
        db: Session,
        provider: FigureSource,
        books: Mapping[uuid.UUID, BooksFigures],
        *,
        synced_at: datetime,
    ) -> int:
        """The books' figures for these jobs (MANUAL ones stay); returns how many jobs moved."""
        repository = FinancialsRepository(db)
        rows = repository.for_jobs(books)
        prices = repository.prices()
        jobs = {job.id: job for job in repository.jobs(books)}
        snapshots = []
        for job_id, figures in books.items():
            row = rows.get(job_id) or self._new_row(db, jobs[job_id], prices)
            if self._take_books(row, provider, figures, jobs[job_id], prices):
                snapshots.append(_snapshot(row, f"sync:{provider.value}"))
            row.last_synced_at, row.sync_status, row.sync_error = (
                synced_at,
                FinancialSyncStatus.OK,
                "",
            )
        repository.add_snapshots(snapshots)
        return len(snapshots)

    def _new_row(self, db: Session, job: Job, prices: Prices) -> JobFinancials:
        row = self._placeholder_row(job, prices)
        db.add(row)
        return row

    def _take_books(
        self,
        row: JobFinancials,
        provider: FigureSource,
        figures: BooksFigures,
        job: Job,
        prices: Prices,
    ) -> bool:
        before = figures_of(row)
        for name in FIGURES:
            _write(row, name, synced(before[name], provider, figures[name]))
        row.books_source = provider
        self._recompute(row, placeholder_figures(estimated_contract(job, prices)))
        return figures_of(row) != before

    def mark_sync_failed(self, db: Session, job_ids: Sequence[uuid.UUID], message: str) -> None:
        """The last good figures stay; the job shows the error until a sync succeeds."""
        for row in FinancialsRepository(db).for_jobs(job_ids).values():
            row.sync_status, row.sync_error = FinancialSyncStatus.ERROR, message[:2000]

    # ----- manual overrides ---------------------------------------------------------------
    def set_manual(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        *,
        figure: str,
        cents: int,
        reason: str,
    ) -> JobFinancials:
        _check_figure(figure)
        if cents < 0:
            raise ValidationFailed("an amount cannot be negative", field="amount")
        if not reason.strip():
            raise ValidationFailed("say why the figure is set by hand", field="reason")
        row = self._locked(db, job_id)
        before = figures_of(row)[figure]
        _write(row, figure, Figure(cents, FigureSource.MANUAL, before.synced_cents))
        return self._after_manual(db, principal, row, (figure, before), reason.strip())

    def clear_manual(
        self, db: Session, principal: Principal, job_id: uuid.UUID, *, figure: str, reason: str
    ) -> JobFinancials:
        _check_figure(figure)
        row = FinancialsRepository(db).get(job_id, lock=True)
        before = figures_of(row)[figure] if row is not None else None
        if row is None or before is None or before.source != FigureSource.MANUAL:
            raise ValidationFailed(f"the {figure} figure is not set by hand", field="figure")
        job = FinancialsRepository(db).jobs([job_id])[0]
        estimate = placeholder_figures(estimated_contract(job, FinancialsRepository(db).prices()))
        _write(row, figure, cleared(before, estimate[figure], row.books_source))
        return self._after_manual(db, principal, row, (figure, before), reason.strip())

    def _after_manual(
        self,
        db: Session,
        principal: Principal,
        row: JobFinancials,
        before: tuple[str, Figure],
        reason: str,
    ) -> JobFinancials:
        figure, old = before
        repository = FinancialsRepository(db)
        job = repository.jobs([row.job_id])[0]
        self._recompute(row, placeholder_figures(estimated_contract(job, repository.prices())))
        after = figures_of(row)[figure]
        audit_service.record(
            db,
            principal,
            action="financials.figure_changed",
            entity_type="job",
            entity_id=row.job_id,
            changes={
                f"{figure}_cents": change(old.cents, after.cents),
                f"{figure}_source": change(old.source, after.source),
            },
            reason=reason,
        )
        repository.add_snapshots([_snapshot(row, "manual")])
        db.flush()
        return row

    def _locked(self, db: Session, job_id: uuid.UUID) -> JobFinancials:
        """The job's row under lock; a job that has none yet gets its placeholder row."""
        repository = FinancialsRepository(db)
        row = repository.get(job_id, lock=True)
        if row is not None:
            return row
        jobs = repository.jobs([job_id])
        if not jobs:
            raise NotFound("no such job")
        return self._new_row(db, jobs[0], repository.prices())

    # ----- cost categories ----------------------------------------------------------------
    def cost_mappings(self, db: Session, provider: Provider) -> list[CostCategoryMapping]:
        return CostMappingRepository(db).all(provider)

    def map_cost(
        self, db: Session, principal: Principal, mapping_id: uuid.UUID, category: CostCategory
    ) -> CostCategoryMapping:
        """Re-categorise an account or item; figures follow at the next full sync."""
        mapping = CostMappingRepository(db).get(mapping_id)
        if mapping is None:
            raise NotFound("no such cost mapping")
        old, mapping.category = mapping.category, category
        audit_service.updated(
            db, principal, "cost_mapping", mapping.id, {"category": change(old, category)}
        )
        return mapping

    # ----- reading ------------------------------------------------------------------------
    def profitability(self, db: Session, job_id: uuid.UUID) -> JobProfitability:
        self.ensure_all(db)
        repository = FinancialsRepository(db)
        row = repository.get(job_id)
        jobs = repository.jobs([job_id])
        if row is None or not jobs:
            raise NotFound("no such job")
        documents = AccountingDocumentRepository(db)
        estimate_figures = placeholder_figures(row.estimated_contract_cents)
        return JobProfitability(
            job=jobs[0],
            financials=row,
            figures=figures_of(row),
            totals=totals(figures_of(row)),
            estimate=totals(
                {n: Figure(c, FigureSource.PLACEHOLDER) for n, c in estimate_figures.items()}
            ),
            invoices=documents.job_invoices(job_id),
            cost_lines=documents.cost_lines(job_id),
            history=repository.history(job_id),
        )


def estimated_contract(job: Job, prices: Prices) -> int | None:
    price = prices.get((job.job_type, job.material))
    if price is None or job.squares is None:
        return None
    return int(job.squares * price)


def _check_figure(figure: str) -> None:
    if figure not in FIGURES:
        raise ValidationFailed(f"figure must be one of {', '.join(FIGURES)}", field="figure")


def _snapshot(row: JobFinancials, cause: str) -> dict[str, Any]:
    """A JobFinancialSnapshot row, as values for a multi-row insert."""
    return {
        "id": uuid.uuid4(),
        "job_id": row.job_id,
        "taken_at": utcnow(),
        "cause": cause,
        "contract_cents": row.contract_cents,
        "total_cost_cents": row.total_cost_cents,
        "gross_profit_cents": row.gross_profit_cents,
        "margin": row.margin,
        "figures": {
            name: {"cents": figure.cents, "source": figure.source.value}
            for name, figure in figures_of(row).items()
        },
    }


financials_service = FinancialsService()
