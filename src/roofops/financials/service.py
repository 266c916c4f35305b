"""Job financials: figures with their sources, from the CRM and the books, manual overrides,
what they add up to, and each job's money panel.

Precedence of a settable figure: MANUAL (until someone clears it) > its outside source (the
CRM's job amount for the contract, the books for costs) > PLACEHOLDER (the contract amount
estimated from squares x the price list; no cost known yet). What each figure means:
roofops.financials.figures. Every change lands in the audit log (manual ones with their
reason) and, when the job's numbers moved, in a snapshot for trends.

Reads never write: a job gets its row when it is created or changed (``track``), when the price
list changes (``reprice``) and when the books are synced.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from roofops.activity.changes import books_changes
from roofops.activity.service import activity_service
from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.exceptions import NotFound, ValidationFailed
from roofops.financials.figures import (
    COST_FIGURES,
    FIGURES,
    Figure,
    Invoicing,
    Money,
    cleared,
    derive,
    estimated_costs,
    margin_kind,
    synced,
)
from roofops.financials.repository import (
    AccountingDocumentRepository,
    CostMappingRepository,
    FinancialsRepository,
)
from roofops.kit.time import utcnow
from roofops.models.enums import (
    VENDOR_NAMES,
    CostCategory,
    FigureSource,
    FinancialSyncStatus,
    JobType,
    MarginKind,
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


@dataclass(frozen=True)
class BooksFigures:
    """What the books say of one job: its invoices and its costs to date by category."""

    invoiced_cents: int
    balance_cents: int
    costs: Mapping[str, int]  # every cost category present


@dataclass(frozen=True)
class JobProfitability:
    job: Job
    financials: JobFinancials
    figures: dict[str, Figure]
    money: Money
    kind: MarginKind
    estimate: dict[str, int | None]  # estimated cost by category
    invoices: list[AccountingInvoice]
    cost_lines: list[CostLine]
    history: list[JobFinancialSnapshot]


def _moved(
    before: tuple[dict[str, Figure], Invoicing | None],
    after: tuple[dict[str, Figure], Invoicing | None],
) -> list[str]:
    """Which figures differ: costs by category and contract by name, then invoiced and paid."""
    moved = [name for name in FIGURES if before[0][name] != after[0][name]]
    old, new = before[1], after[1]
    for name in ("invoiced", "paid"):
        if getattr(old, f"{name}_cents", None) != getattr(new, f"{name}_cents", None):
            moved.append(name)
    if not moved and old != new:
        moved.append("invoiced")  # only the balance moved: say the invoicing did
    return moved


def figures_of(row: JobFinancials) -> dict[str, Figure]:
    return {
        name: Figure(row.amount(name), row.source(name), getattr(row, f"{name}_synced_cents"))
        for name in FIGURES
    }


def invoicing_of(row: JobFinancials) -> Invoicing | None:
    if row.invoiced_cents is None:
        return None
    return Invoicing(row.invoiced_cents, row.paid_cents or 0, row.balance_cents or 0)


def _write(row: JobFinancials, name: str, figure: Figure) -> None:
    setattr(row, f"{name}_cents", figure.cents)
    setattr(row, f"{name}_source", figure.source)
    setattr(row, f"{name}_synced_cents", figure.synced_cents)


def _contract(current: Figure, job: Job, estimate: int | None) -> Figure:
    """The contract figure as the job now says: manual stays; else the job's recorded amount;
    else the estimate."""
    if current.source == FigureSource.MANUAL:
        return Figure(current.cents, FigureSource.MANUAL, job.contract_cents)
    if job.contract_cents is not None:
        source = job.contract_source or FigureSource.MANUAL
        return Figure(job.contract_cents, source, job.contract_cents)
    return Figure(estimate, FigureSource.PLACEHOLDER, None)


def _store(row: JobFinancials, money: Money) -> None:
    row.cost_to_date_cents = money.cost_to_date_cents
    row.estimated_cost_cents = money.estimated_cost_cents
    row.projected_revenue_cents = money.projected_revenue_cents
    row.projected_cost_cents = money.projected_cost_cents
    row.projected_profit_cents = money.projected_profit_cents
    row.projected_margin = money.projected_margin
    row.actual_revenue_cents = money.actual_revenue_cents
    row.actual_profit_cents = money.actual_profit_cents
    row.actual_margin = money.actual_margin


def _refigure(row: JobFinancials) -> Money:
    money = derive(figures_of(row), invoicing_of(row))
    _store(row, money)
    return money


class FinancialsService:
    # ----- rows, the contract amount and the estimate -------------------------------------
    def track(self, db: Session, job_ids: Iterable[uuid.UUID] | None = None) -> int:
        """Rows for these jobs (without ids: every job that has none yet), with the contract
        amount and the estimate the job now implies; books' and manual figures stay."""
        repository = FinancialsRepository(db)
        jobs = repository.jobs(job_ids) if job_ids is not None else repository.untracked_jobs()
        rows = repository.for_jobs(job.id for job in jobs)
        prices = repository.prices()
        new = []
        for job in jobs:
            row = rows.get(job.id)
            if row is None:
                row = _placeholder(job)
                new.append(row)
            self._reprice(row, job, prices)
        # A demo or a first sync brings thousands of jobs: one multi-row INSERT for the new.
        repository.insert(new)
        db.flush()
        return len(jobs)

    def reprice(self, db: Session) -> int:
        """After a price-list change: every job's estimate (and placeholder contract) again."""
        return self.track(db, FinancialsRepository(db).all_job_ids())

    def _reprice(self, row: JobFinancials, job: Job, prices: Prices) -> None:
        estimate = estimated_contract(job, prices)
        row.estimated_contract_cents = estimate
        _write(row, "contract", _contract(figures_of(row)["contract"], job, estimate))
        _refigure(row)

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
        missing = [job_id for job_id in books if job_id not in rows]
        if missing:
            self.track(db, missing)
            rows = repository.for_jobs(books)
        snapshots, moves = [], {}
        for job_id, figures in books.items():
            row = rows[job_id]
            if moved := self._take_books(row, provider, figures):
                snapshots.append(_snapshot(row, f"sync:{provider.value}"))
                moves[job_id] = books_changes(moved)
            row.last_synced_at, row.sync_status, row.sync_error = (
                synced_at,
                FinancialSyncStatus.OK,
                "",
            )
        repository.add_snapshots(snapshots)
        # The feed names what moved, never the amounts (it is VIEW_JOBS).
        activity_service.record_syncs(db, moves, source=VENDOR_NAMES[provider.value])
        return len(snapshots)

    def _take_books(
        self, row: JobFinancials, provider: FigureSource, books: BooksFigures
    ) -> list[str]:
        """Write the books' figures; the names of those that moved (empty: none did)."""
        before = (figures_of(row), invoicing_of(row))
        for name in COST_FIGURES:
            _write(row, name, synced(before[0][name], provider, books.costs[name]))
        row.books_source = provider
        row.invoiced_cents, row.balance_cents = books.invoiced_cents, books.balance_cents
        row.paid_cents = books.invoiced_cents - books.balance_cents
        _refigure(row)
        return _moved(before, (figures_of(row), invoicing_of(row)))

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
        source = _outside_source(row, figure)
        fallback = row.estimated_contract_cents if figure == "contract" else None
        _write(row, figure, cleared(before, source, fallback))
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
        _refigure(row)
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
        FinancialsRepository(db).add_snapshots([_snapshot(row, "manual")])
        db.flush()
        return row

    def _locked(self, db: Session, job_id: uuid.UUID) -> JobFinancials:
        """The job's row under lock; a job that has none yet gets its placeholder row."""
        repository = FinancialsRepository(db)
        row = repository.get(job_id, lock=True)
        if row is not None:
            return row
        if not repository.jobs([job_id]):
            raise NotFound("no such job")
        self.track(db, [job_id])
        return found_row(repository.get(job_id, lock=True))

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
    def profitability(
        self, db: Session, job_id: uuid.UUID, *, now: datetime | None = None
    ) -> JobProfitability:
        """One job's money; a job not tracked yet shows its placeholder (nothing is written)."""
        repository = FinancialsRepository(db)
        job = repository.job(job_id)
        if job is None:
            raise NotFound("no such job")
        row = repository.get(job_id) or _estimated(job, repository.prices())
        money = derive(figures_of(row), invoicing_of(row))
        documents = AccountingDocumentRepository(db)
        return JobProfitability(
            job=job,
            financials=row,
            figures=figures_of(row),
            money=money,
            kind=margin_kind(
                job.stage, job.stage_changed_at, money.cost_to_date_cents, now or utcnow()
            ),
            estimate=estimated_costs(money.contract_cents),
            invoices=documents.job_invoices(job_id),
            cost_lines=documents.cost_lines(job_id),
            history=repository.history(job_id),
        )


def estimated_contract(job: Job, prices: Prices) -> int | None:
    price = prices.get((job.job_type, job.material))
    if price is None or job.squares is None:
        return None
    return int(job.squares * price)


def _placeholder(job: Job) -> JobFinancials:
    row = JobFinancials(job_id=job.id, sync_status=FinancialSyncStatus.NEVER, sync_error="")
    for name in FIGURES:
        _write(row, name, Figure(None, FigureSource.PLACEHOLDER))
    return row


def _estimated(job: Job, prices: Prices) -> JobFinancials:
    """The row a job would get, in memory only."""
    row = _placeholder(job)
    estimate = estimated_contract(job, prices)
    row.estimated_contract_cents = estimate
    _write(row, "contract", _contract(figures_of(row)["contract"], job, estimate))
    _refigure(row)
    return row


def _outside_source(row: JobFinancials, figure: str) -> FigureSource | None:
    """Where a cleared figure goes back to: the CRM's amount for the contract, the books'."""
    if figure == "contract":
        return FigureSource.JOBNIMBUS if row.contract_synced_cents is not None else None
    return row.books_source


def found_row(row: JobFinancials | None) -> JobFinancials:
    assert row is not None, "track() has just made the row"
    return row


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
        "invoiced_cents": row.invoiced_cents,
        "cost_to_date_cents": row.cost_to_date_cents,
        "projected_margin": row.projected_margin,
        "actual_margin": row.actual_margin,
        "figures": {
            name: {"cents": figure.cents, "source": figure.source.value}
            for name, figure in figures_of(row).items()
        },
    }


financials_service = FinancialsService()
