"""Invoices from a job: generate each kind (figured in roofops.invoice.amounts), list, void
(never delete), the balance per payer, and the PDF. Every change is audited."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.exceptions import Conflict, NotFound, ValidationFailed
from roofops.invoice import amounts
from roofops.invoice.amounts import INSURANCE_PAYERS, Billed, Claim, JobTerms, Offer, dollars
from roofops.invoice.books import InvoiceBooks, NoBooks
from roofops.invoice.export import invoices_csv
from roofops.invoice.pdf import Letterhead, render
from roofops.invoice.repository import InvoiceFilters, InvoiceRepository, InvoiceTotals
from roofops.invoice.schemas import InvoiceGenerate
from roofops.job.lifecycle import CLOSEOUT
from roofops.kit.money import to_cents
from roofops.kit.paging import Page, PageRequest, parse_sort
from roofops.kit.time import utcnow
from roofops.models.audit import AuditLog
from roofops.models.enums import PayerKind
from roofops.models.invoice import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoicePayer,
    InvoiceStatus,
    PushStatus,
)
from roofops.models.job import Job
from roofops.models.property import Property

__all__ = [
    "INVOICE_SORTS",
    "InvoiceFilters",
    "InvoiceService",
    "InvoiceTotals",
    "company_today",
    "invoice_service",
]

INVOICE_SORTS = ("created_at", "number", "issue_date", "due_date", "total_cents")


@dataclass(frozen=True)
class PayerBalance:
    payer_kind: InvoicePayer
    invoices: int
    invoiced_cents: int
    paid_cents: int

    @property
    def outstanding_cents(self) -> int:
        return self.invoiced_cents - self.paid_cents


@dataclass(frozen=True)
class JobInvoicing:
    """What a job was invoiced against its contract, and what each payer owes."""

    job_id: uuid.UUID
    contract_cents: int | None
    supplements_cents: int
    ceiling_cents: int
    invoiced_cents: int
    depreciation_held_cents: int | None  # insurance: not yet invoiced for release
    payers: list[PayerBalance]

    @property
    def left_cents(self) -> int:
        return self.ceiling_cents - self.invoiced_cents


class InvoiceService:
    # The accounting system, as the composition root connects it (closed periods, voids).
    books: InvoiceBooks = NoBooks()

    def connect_books(self, books: InvoiceBooks) -> None:
        self.books = books

    def generate(self, db: Session, principal: Principal, data: InvoiceGenerate) -> Invoice:
        """Raise one invoice of ``data.kind`` for the job: 409 naming the figures when it
        makes no sense (over the contract, depreciation before completion, a second deposit)."""
        repository = InvoiceRepository(db)
        job = _job(repository.job(data.job_id, lock=True))
        billed = _billed(repository.of_job(job.id))
        figured = amounts.figure(_terms(repository, job), billed, _request(data))
        payer = _payer(data)
        dates = _dates(db, data.issue_date)
        self.books.refuse_closed(db, dates["issue_date"])
        invoice = repository.add(
            Invoice(
                job_id=job.id,
                **_numbered(repository, job),
                kind=data.kind,
                payer_kind=payer,
                payer_name=_payer_name(job, payer, data.payer_name),
                **dates,
                memo=data.memo,
                total_cents=figured.total_cents,
                lines=_lines(figured),
            )
        )
        audit_service.record(
            db,
            principal,
            action="invoice.created",
            entity_type="invoice",
            entity_id=invoice.id,
            changes=_created_changes(invoice, job),
        )
        return self.get(db, invoice.id)

    def list(self, db: Session, filters: InvoiceFilters, page: PageRequest) -> Page[Invoice]:
        sort = parse_sort(page.sort, INVOICE_SORTS, "-created_at")
        return InvoiceRepository(db).search(_dated(db, filters), page, sort)

    def totals(self, db: Session, filters: InvoiceFilters) -> InvoiceTotals:
        """Invoiced, paid and outstanding over every invoice the filters match (all pages)."""
        return InvoiceRepository(db).totals(_dated(db, filters))

    def csv(self, db: Session, filters: InvoiceFilters, sort: str | None) -> str:
        """Every matching invoice (all pages), in the list's order, for a spreadsheet."""
        spec = parse_sort(sort, INVOICE_SORTS, "-created_at")
        filters = _dated(db, filters)
        assert filters.today is not None
        return invoices_csv(InvoiceRepository(db).every(filters, spec), filters.today)

    def get_by_number(self, db: Session, number: str) -> Invoice:
        return self.get(db, self.id_by_number(db, number.strip()))

    def history(self, db: Session, invoice_id: uuid.UUID) -> builtins.list[AuditLog]:
        """Who raised, voided (and later pushed or sent) the invoice, newest first."""
        rows = audit_service.history(db, "invoice", invoice_id)
        return sorted(rows, key=lambda row: row.occurred_at, reverse=True)

    def offers(self, db: Session, job_id: uuid.UUID) -> builtins.list[Offer]:
        """The kinds the job can be invoiced for now, and why the others cannot."""
        return self.job_invoices_and_offers(db, job_id)[2]

    def preview(self, db: Session, data: InvoiceGenerate) -> amounts.Figured:
        """The lines ``generate`` would write, refused the same way, writing nothing."""
        repository = InvoiceRepository(db)
        job = _job(repository.job(data.job_id))
        _payer_name(job, _payer(data), data.payer_name)
        billed = _billed(repository.of_job(job.id))
        return amounts.figure(_terms(repository, job), billed, _request(data))

    def get(self, db: Session, invoice_id: uuid.UUID) -> Invoice:
        """The invoice with its lines and job (and the job's property) loaded."""
        return _found(InvoiceRepository(db).full(invoice_id))

    def void(
        self, db: Session, principal: Principal, invoice_id: uuid.UUID, reason: str
    ) -> Invoice:
        """Void with a reason, keeping the row and its number (never deleted); a pushed one is
        voided in the books first, and a refusal there leaves it as it was."""
        invoice = _found(InvoiceRepository(db).full(invoice_id, lock=True))
        _check_voidable(invoice)
        if invoice.push_status == PushStatus.PUSHED:
            self.books.void(db, invoice)
        old = invoice.status
        invoice.status, invoice.voided_at, invoice.void_reason = (
            InvoiceStatus.VOID,
            utcnow(),
            reason,
        )
        audit_service.record(
            db,
            principal,
            action="invoice.voided",
            entity_type="invoice",
            entity_id=invoice.id,
            changes={"status": change(old, InvoiceStatus.VOID)},
            reason=reason,
        )
        db.flush()
        return self.get(db, invoice_id)

    def id_by_number(self, db: Session, number: str) -> uuid.UUID:
        found = InvoiceRepository(db).id_by_number(number)
        if found is None:
            raise NotFound(f"no invoice numbered {number}")
        return found

    def of_job(self, db: Session, job_id: uuid.UUID) -> builtins.list[Invoice]:
        """The job's invoices, voided ones too, in the order they were raised."""
        return InvoiceRepository(db).of_job(job_id)

    def job_invoicing(self, db: Session, job_id: uuid.UUID) -> JobInvoicing:
        return self.job_invoices(db, job_id)[1]

    def job_invoices(
        self, db: Session, job_id: uuid.UUID
    ) -> tuple[builtins.list[Invoice], JobInvoicing]:
        """The job's invoices (voided ones too) and where its invoicing stands, read once."""
        invoices, invoicing, _ = self.job_invoices_and_offers(db, job_id)
        return invoices, invoicing

    def job_invoices_and_offers(
        self, db: Session, job_id: uuid.UUID
    ) -> tuple[builtins.list[Invoice], JobInvoicing, builtins.list[Offer]]:
        """As :meth:`job_invoices`, with the kinds the job can be invoiced for now (the job
        page's form), from the same reads."""
        repository = InvoiceRepository(db)
        job = _job(repository.job(job_id))
        invoices = repository.of_job(job.id)
        live = [i for i in invoices if i.status != InvoiceStatus.VOID]
        billed, terms = _billed(live), _terms(repository, job)
        invoicing = JobInvoicing(
            job_id=job.id,
            contract_cents=terms.contract_cents,
            supplements_cents=amounts.supplements(billed),
            ceiling_cents=amounts.ceiling(terms, billed),
            invoiced_cents=amounts.invoiced(billed),
            depreciation_held_cents=_depreciation_held(terms, billed),
            payers=_balances(live),
        )
        return invoices, invoicing, amounts.offers(terms, billed)

    def pdf(self, db: Session, invoice_id: uuid.UUID) -> tuple[Invoice, bytes]:
        invoice = self.get(db, invoice_id)
        job = invoice.job
        place = job.property
        head = Letterhead(
            company=company_service.get(db).name,
            job_number=job.number,
            job_name=job.name,
            address=site_address(place),
        )
        return invoice, render(invoice, head)


def company_today(db: Session) -> date:
    """Today where the company works: invoices are issued and fall due on its calendar."""
    return datetime.now(ZoneInfo(company_service.get(db).time_zone)).date()


def _dated(db: Session, filters: InvoiceFilters) -> InvoiceFilters:
    return filters if filters.today is not None else replace(filters, today=company_today(db))


def site_address(place: Property) -> str:
    """The job's address as one line, as the PDF and the e-mails print it."""
    return f"{place.address_line1}, {place.city}, {place.state} {place.postal_code}"


def _check_voidable(invoice: Invoice) -> None:
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"invoice {invoice.number} is already void", field="status")
    if invoice.paid_cents:
        raise Conflict(
            f"invoice {invoice.number} has {dollars(invoice.paid_cents)} paid against it: "
            "it cannot be voided",
            field="status",
        )
    if invoice.push_status == PushStatus.PENDING:
        raise Conflict(
            f"invoice {invoice.number} is being pushed to the books: void it once the push "
            "has finished",
            field="push_status",
        )


def _found(invoice: Invoice | None) -> Invoice:
    if invoice is None:
        raise NotFound("no such invoice")
    return invoice


def _job(job: Job | None) -> Job:
    if job is None:
        raise NotFound("no such job")
    return job


def _billed(invoices: Sequence[Invoice]) -> builtins.list[Billed]:
    return [
        Billed(i.kind, i.payer_kind, i.total_cents)
        for i in invoices
        if i.status != InvoiceStatus.VOID
    ]


def _terms(repository: InvoiceRepository, job: Job) -> JobTerms:
    """The job's figures invoices are made from; an insurance job's contract defaults to its
    RCV (the price the claim pays) when no contract amount was recorded."""
    claim = None
    if job.payer == PayerKind.INSURANCE:
        claim = Claim(job.rcv_cents, job.deductible_cents, job.depreciation_held_cents)
    contract = repository.contract_in_force(job.id)
    if contract is None:
        contract = job.contract_cents
    if contract is None and claim is not None:
        contract = claim.rcv_cents
    return JobTerms(job.number, contract, claim, completed=job.stage in CLOSEOUT)


def _request(data: InvoiceGenerate) -> amounts.Request:
    percent = data.percent
    if data.kind == InvoiceKind.DEPOSIT and percent is None and data.amount is None:
        percent = get_settings().invoice_deposit_percent
    return amounts.Request(
        kind=data.kind,
        percent=percent,
        amount_cents=None if data.amount is None else to_cents(data.amount),
        description=data.description,
    )


def _payer(data: InvoiceGenerate) -> InvoicePayer:
    fixed = INSURANCE_PAYERS.get(data.kind)
    if fixed is not None:
        if data.payer not in (None, fixed):
            raise ValidationFailed(
                f"a {data.kind.value} invoice is paid by the {fixed.value.replace('_', ' ')}",
                field="payer",
            )
        return fixed
    if data.payer == InvoicePayer.INSURANCE_CARRIER:
        raise ValidationFailed(
            f"a {data.kind.value} invoice goes to the homeowner or a financing company; the "
            "carrier pays the ACV, the depreciation release and supplements",
            field="payer",
        )
    return data.payer or InvoicePayer.HOMEOWNER


def _payer_name(job: Job, payer: InvoicePayer, given: str) -> str:
    if given:
        return given
    if payer == InvoicePayer.HOMEOWNER:
        return job.customer.display_name
    if payer == InvoicePayer.INSURANCE_CARRIER and job.insurance_carrier:
        return job.insurance_carrier
    if payer == InvoicePayer.INSURANCE_CARRIER:
        raise Conflict(
            f"job {job.number} names no insurance carrier: record it, or give payer_name",
            field="payer_name",
        )
    raise ValidationFailed("name the financing company (payer_name)", field="payer_name")


def _numbered(repository: InvoiceRepository, job: Job) -> dict[str, object]:
    """The job's next number: the job number, then ``<job number>-2``, ``-3``... Voided
    invoices keep theirs, so a number is never given twice."""
    sequence = max((i.sequence for i in repository.of_job(job.id)), default=0) + 1
    number = job.number if sequence == 1 else f"{job.number}-{sequence}"
    if repository.number_taken(number):
        raise Conflict(f"invoice number {number} is already taken", field="number")
    return {"sequence": sequence, "number": number}


def _dates(db: Session, issue_date: date | None) -> dict[str, date]:
    """Issued today in the company's time zone unless given; due after the payment terms."""
    if issue_date is None:
        issue_date = company_today(db)
    terms = timedelta(days=get_settings().invoice_payment_terms_days)
    return {"issue_date": issue_date, "due_date": issue_date + terms}


def _lines(figured: amounts.Figured) -> builtins.list[InvoiceLine]:
    return [
        InvoiceLine(
            position=position,
            description=line.description[:500],
            quantity=line.quantity,
            unit_price_cents=line.unit_price_cents,
            amount_cents=line.amount_cents,
        )
        for position, line in enumerate(figured.lines, start=1)
    ]


def _created_changes(invoice: Invoice, job: Job) -> dict[str, dict[str, object]]:
    return {
        "job": change(None, job.number),
        "number": change(None, invoice.number),
        "kind": change(None, invoice.kind),
        "payer_kind": change(None, invoice.payer_kind),
        "payer_name": change(None, invoice.payer_name),
        "total": change(None, Decimal(invoice.total_cents) / 100),
        "due_date": change(None, invoice.due_date.isoformat()),
    }


def _depreciation_held(terms: JobTerms, billed: Sequence[Billed]) -> int | None:
    if terms.claim is None:
        return None
    if any(b.kind == InvoiceKind.DEPRECIATION_RELEASE for b in billed):
        return 0
    return terms.claim.depreciation_cents or 0


def _balances(invoices: Sequence[Invoice]) -> builtins.list[PayerBalance]:
    return [
        PayerBalance(
            payer_kind=payer,
            invoices=len(mine),
            invoiced_cents=sum(i.total_cents for i in mine),
            paid_cents=sum(i.paid_cents for i in mine),
        )
        for payer in InvoicePayer
        if (mine := [i for i in invoices if i.payer_kind == payer])
    ]


invoice_service = InvoiceService()
