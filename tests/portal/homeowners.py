"""Two homeowners, each with a job full of things: what one may see of their own job and what
must never show (internal figures, notes, unshared files), and ids the other one will guess."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.principal import Principal
from roofops.auth.service import principal_for
from roofops.company.service import company_service
from roofops.kit.time import utcnow
from roofops.models import ActorType, Job, JobStage, Role, User
from roofops.models.crew import Crew
from roofops.models.customer import Customer
from roofops.models.dispatch import DispatchPlan, Phase, PlanKind, PlanStatus, ScheduleEntry
from roofops.models.document import JobDocument
from roofops.models.enums import PayerKind
from roofops.models.field import FieldReport, FieldStatus, JobPhoto
from roofops.models.financials import JobFinancials
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus
from roofops.models.property import Property
from tests.factories import make_crew, make_job, make_job_forecast, make_user
from tests.field.images import PDF, png

# Strings of internal things: none may appear on a portal page.
COST = 1_234_567  # $12,345.67 of materials
COST_TEXT = "12,345.67"
INTERNAL_NOTE = "Internal-note: customer is difficult, quote high"
UNSHARED_CAPTION = "Unshared-caption: rotten decking we missed"
UNSHARED_DOCUMENT = "Unshared-document: supplier price sheet"
CREW_PHONE = "303-555-0199"
CUSTOMER_NOTES = "Customer-notes: slow payer"
DESCRIPTION = "Job-description: margin is thin"
GATE_CODE = "Field-note: gate code 4411"


@dataclass(frozen=True)
class Homeowner:
    customer_id: uuid.UUID
    job: Job
    owner: User
    crew: Crew
    issued: Invoice  # sent, homeowner's deductible
    paid: Invoice  # the carrier's ACV, paid
    draft: Invoice
    void: Invoice
    photo: JobPhoto  # shared
    hidden_photo: JobPhoto
    document: JobDocument  # shared
    hidden_document: JobDocument

    @property
    def ids(self) -> dict[str, uuid.UUID]:
        return {
            "job": self.job.id,
            "invoice": self.issued.id,
            "photo": self.photo.id,
            "document": self.document.id,
        }

    def urls(self) -> list[str]:
        """Every portal URL of this homeowner's things."""
        base = f"/portal/jobs/{self.job.id}"
        return [
            base,
            f"{base}/invoices/{self.issued.id}.pdf",
            f"{base}/photos/{self.photo.id}",
            f"{base}/documents/{self.document.id}",
        ]


def email_and_address(db: Session, owner: Homeowner) -> tuple[str, str]:
    """The customer's e-mail and the job's one-line address, as the portal shows them."""
    customer = db.get(Customer, owner.customer_id)
    place = db.get(Property, owner.job.property_id)
    assert customer is not None
    assert place is not None
    return customer.email, place.one_line


def today(db: Session) -> date:
    return company_service.today(db)


def homeowner(db: Session, name: str, *, scheduled: bool = True) -> Homeowner:
    """An insurance re-roof on the schedule (``scheduled=False``: materials ordered, no crew
    placed yet), a crew on the way, invoices of every status, shared and unshared files, and
    internal figures and notes on the side."""
    owner = make_user(db, role=Role.OFFICE, email=f"owner-{uuid.uuid4().hex[:8]}@roofco.example")
    stage = JobStage.SCHEDULED if scheduled else JobStage.MATERIALS_ORDERED
    job = make_job(db, stage=stage, contract_cents=2_000_000)
    customer = db.get(Customer, job.customer_id)
    assert customer is not None
    customer.display_name, customer.notes = name, CUSTOMER_NOTES
    job.owner_id, job.description = owner.id, DESCRIPTION
    _insurance(job)
    _costs(db, job)
    crew = make_crew(db)
    crew.phone = CREW_PHONE
    activity_service.add_note(db, _as(owner), job.id, INTERNAL_NOTE, mail=False)
    if scheduled:
        _scheduled(db, job, crew)
    db.add(FieldReport(crew_id=crew.id, job_id=job.id, day=today(db), status=FieldStatus.EN_ROUTE,
                       note=GATE_CODE, occurred_at=utcnow()))  # fmt: skip
    invoices = [_invoice(db, job, n, status) for n, status in enumerate(INVOICE_STATUSES, 1)]
    photos = [_photo(db, job, shared) for shared in (True, False)]
    documents = [_document(db, job, shared) for shared in (True, False)]
    db.flush()
    return Homeowner(job.customer_id, job, owner, crew, *invoices, *photos, *documents)


def _as(user: User) -> Principal:
    return principal_for(user, actor_type=ActorType.USER)


def _insurance(job: Job) -> None:
    job.payer = PayerKind.INSURANCE
    job.insurance_carrier = "Granite State Mutual"
    job.claim_number = "GSM-2026-0042"
    job.rcv_cents, job.acv_cents = 2_000_000, 1_600_000
    job.deductible_cents, job.depreciation_held_cents = 100_000, 300_000


def _costs(db: Session, job: Job) -> None:
    financials = db.get(JobFinancials, job.id)
    assert financials is not None
    financials.materials_cents = COST
    financials.labor_cents = 765_432


def _scheduled(db: Session, job: Job, crew: Crew) -> None:
    start = today(db) + timedelta(days=3)
    plan = DispatchPlan(kind=PlanKind.SCHEDULE, status=PlanStatus.PUBLISHED, horizon_start=start,
                        horizon_end=start + timedelta(days=30), trigger="optimize",
                        published_at=utcnow())  # fmt: skip
    db.add(plan)
    db.flush()
    days = [start, start + timedelta(days=1)]
    db.add(ScheduleEntry(plan_id=plan.id, job_id=job.id, phase=Phase.INSTALL, crew_id=crew.id,
                         starts_on=days[0], ends_on=days[1],
                         work_days=[d.isoformat() for d in days]))  # fmt: skip


# (kind, payer, total, paid, status, sent): issued, paid, draft, void.
INVOICE_STATUSES = [
    (InvoiceKind.DEDUCTIBLE, InvoicePayer.HOMEOWNER, 100_000, 0, InvoiceStatus.SENT, True),
    (InvoiceKind.INSURANCE_ACV, InvoicePayer.INSURANCE_CARRIER, 1_600_000, 1_600_000,
     InvoiceStatus.PAID, True),
    (InvoiceKind.DEPOSIT, InvoicePayer.HOMEOWNER, 777_700, 0, InvoiceStatus.DRAFT, False),
    (InvoiceKind.PROGRESS, InvoicePayer.HOMEOWNER, 888_800, 0, InvoiceStatus.VOID, True),
]  # fmt: skip


def _invoice(
    db: Session,
    job: Job,
    sequence: int,
    spec: tuple[InvoiceKind, InvoicePayer, int, int, InvoiceStatus, bool],
) -> Invoice:
    kind, payer, total, paid, status, sent = spec
    issued_on = today(db) - timedelta(days=5)
    invoice = Invoice(
        job_id=job.id, sequence=sequence, number=f"{job.number}-{sequence}", kind=kind,
        payer_kind=payer, payer_name="someone", issue_date=issued_on,
        due_date=issued_on + timedelta(days=30), total_cents=total, paid_cents=paid,
        status=status, sent_at=utcnow() if sent else None,
        voided_at=utcnow() if status == InvoiceStatus.VOID else None,
    )  # fmt: skip
    db.add(invoice)
    return invoice


def _photo(db: Session, job: Job, shared: bool) -> JobPhoto:
    photo = JobPhoto(job_id=job.id, content_type="image/png", byte_size=len(png()), data=png(),
                     caption="New ridge vent" if shared else UNSHARED_CAPTION,
                     uploaded_at=utcnow(), shared_with_customer=shared)  # fmt: skip
    db.add(photo)
    return photo


def _document(db: Session, job: Job, shared: bool) -> JobDocument:
    title = "Signed contract" if shared else UNSHARED_DOCUMENT
    document = JobDocument(job_id=job.id, title=title, filename='contract "final"/../x.pdf',
                           content_type="application/pdf", byte_size=len(PDF), data=PDF,
                           uploaded_at=utcnow(), shared_with_customer=shared)  # fmt: skip
    db.add(document)
    return document


def predict_install(db: Session, job: Job, start: date) -> None:
    """A forecast that puts the job's install most likely on ``start``: between 4 days before
    and 6 days after, finished 2 (between 0 and 9) days later."""
    days = [start + timedelta(days=offset) for offset in (-4, 0, 6, 2, 9)]
    make_job_forecast(db, job, start=(days[0], start, days[2]), finish=(start, days[3], days[4]))
