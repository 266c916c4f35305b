"""What a signed-in homeowner sees and sends: their jobs, a job's page (timeline, dates, crew
notices, money, shared files) and a message to the office.

Every method takes the visitor and finds the job among that customer's own jobs first: a job,
invoice, photo or document of anyone else is "not found", exactly like an id that does not
exist. What leaves here are the view models of roofops.portal.job_view, never ORM rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.activity.schedule import recorded_changes
from roofops.activity.service import activity_service
from roofops.company.service import company_service
from roofops.dispatch.changes import Placement
from roofops.dispatch.notifications import PHASE_WORDS, when
from roofops.dispatch.published import published_schedule
from roofops.exceptions import NotFound
from roofops.forecast.service import forecast_service
from roofops.invoice.service import invoice_service
from roofops.invoice.status import status_on
from roofops.job.lifecycle import CLOSEOUT
from roofops.job.service import job_service
from roofops.models.activity import JobActivity
from roofops.models.dispatch import ScheduleEntry
from roofops.models.enums import JobStage, PayerKind
from roofops.models.invoice import Invoice
from roofops.models.job import Job
from roofops.models.portal import PortalAction
from roofops.portal import job_view as view
from roofops.portal.job_repository import PortalJobRepository
from roofops.portal.throttle import portal_throttle
from roofops.portal.visitor import PortalVisitor

NOT_FOUND = "we could not find that on your account"


class HomeownerService:
    def jobs(self, db: Session, visitor: PortalVisitor) -> list[view.JobCard]:
        """The customer's jobs (one job is still a list of one)."""
        repository = PortalJobRepository(db)
        jobs = repository.jobs(visitor.customer_id)
        today = company_service.today(db)
        entries = _scheduled(db, [job.id for job in jobs])
        return [_card(db, job, [e for e in entries if e.job_id == job.id], today) for job in jobs]

    def job_page(self, db: Session, visitor: PortalVisitor, job_id: uuid.UUID) -> view.JobPage:
        job = self._job(db, visitor, job_id)
        repository = PortalJobRepository(db)
        entries = _scheduled(db, [job.id])
        today = company_service.today(db)
        invoices = _issued(invoice_service.of_job(db, job.id), today)
        return view.JobPage(
            id=job.id,
            number=job.number,
            address=job.property.one_line,
            stage=view.stage_label(job.stage),
            timeline=view.timeline(job.stage, _reached(db, job)),
            when=_when(db, job, entries),
            crew=_crew(repository, job, entries, today),
            payers=view.payer_groups(invoices),
            insurance=_insurance(job, invoices),
            photos=_photos(repository, job.id),
            documents=_documents(repository, job.id),
        )

    def invoice_pdf(
        self, db: Session, visitor: PortalVisitor, job_id: uuid.UUID, invoice_id: uuid.UUID
    ) -> view.FileView:
        """The PDF the office mails, for an issued invoice of the customer's job only."""
        job = self._job(db, visitor, job_id)
        issued = _issued(invoice_service.of_job(db, job.id), company_service.today(db))
        if invoice_id not in {invoice.id for invoice in issued}:
            raise NotFound(NOT_FOUND)
        invoice, pdf = invoice_service.pdf(db, invoice_id)
        return view.FileView(pdf, "application/pdf", f"invoice-{invoice.number}.pdf")

    def photo(
        self, db: Session, visitor: PortalVisitor, job_id: uuid.UUID, photo_id: uuid.UUID
    ) -> view.FileView:
        job = self._job(db, visitor, job_id)
        photo = PortalJobRepository(db).shared_photo_bytes(job.id, photo_id)
        if photo is None:
            raise NotFound(NOT_FOUND)
        return view.FileView(photo.data, photo.content_type, f"photo-{photo.id}")

    def document(
        self, db: Session, visitor: PortalVisitor, job_id: uuid.UUID, document_id: uuid.UUID
    ) -> view.FileView:
        job = self._job(db, visitor, job_id)
        document = PortalJobRepository(db).shared_document_bytes(job.id, document_id)
        if document is None:
            raise NotFound(NOT_FOUND)
        return view.FileView(document.data, document.content_type, document.filename)

    def send_message(
        self, db: Session, visitor: PortalVisitor, job_id: uuid.UUID, text: str
    ) -> None:
        """The message lands on the job's activity feed and its owner is told (422 for an
        empty or too long one, 429 past the limit)."""
        job = self._job(db, visitor, job_id)
        portal_throttle.hit(db, PortalAction.MESSAGE, {"customer": str(visitor.customer_id)})
        activity_service.add_customer_message(db, job.id, text, customer_name=visitor.display_name)

    def _job(self, db: Session, visitor: PortalVisitor, job_id: uuid.UUID) -> Job:
        job = PortalJobRepository(db).job(visitor.customer_id, job_id)
        if job is None:
            raise NotFound(NOT_FOUND)
        return job


def _scheduled(db: Session, job_ids: list[uuid.UUID]) -> list[ScheduleEntry]:
    """The jobs' phases a crew is placed on in the published schedule, first day first."""
    entries = published_schedule(db, job_ids=job_ids)
    return [e for e in entries if e.crew_id and e.starts_on is not None and e.ends_on is not None]


# ----- the jobs list ---------------------------------------------------------------------------
def _card(db: Session, job: Job, entries: Sequence[ScheduleEntry], today: date) -> view.JobCard:
    return view.JobCard(
        id=job.id,
        number=job.number,
        address=job.property.one_line,
        stage=view.stage_label(job.stage),
        next_date=_next_date(db, job, entries, today),
    )


def _next_date(db: Session, job: Job, entries: Sequence[ScheduleEntry], today: date) -> str:
    """The next scheduled day, else the predicted completion, else nothing."""
    upcoming = [e for e in entries if e.ends_on and e.ends_on >= today]
    if upcoming:
        return f"{_work(upcoming[0])}: {when(Placement.of_entry(upcoming[0]))}"
    if job.stage in CLOSEOUT or job.stage in view.ENDED:
        return ""
    forecast = forecast_service.job_window(db, job.id)
    return f"Expected completion: {view.day_words(forecast.finish.p50)}" if forecast else ""


# ----- the job page ----------------------------------------------------------------------------
def _reached(db: Session, job: Job) -> dict[JobStage, date]:
    """The local day the job last reached each stage (a stage moved back to counts again)."""
    zone = ZoneInfo(company_service.get(db).time_zone)
    events = job_service.stage_events(db, job.id)
    return {event.to_stage: _local(event.occurred_at, zone) for event in events}


def _local(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _when(db: Session, job: Job, entries: Sequence[ScheduleEntry]) -> view.WhenView:
    if job.stage in view.ENDED:
        return view.WhenView("unknown", ())
    if job.stage in CLOSEOUT:
        return view.WhenView("finished", ("The work on your roof is finished.",))
    # A crew's published days are a promise; a prediction is not. Once a crew is placed the
    # homeowner reads those days, never a window that could disagree with them.
    if entries:
        lines = tuple(f"{_work(entry)}: {when(Placement.of_entry(entry))}." for entry in entries)
        return view.WhenView("schedule", lines)
    forecast = forecast_service.job_window(db, job.id)
    if forecast is not None:
        return view.WhenView("forecast", view.forecast_lines(forecast.start, forecast.finish))
    return view.WhenView("unknown", (view.NOT_SCHEDULED,))


def _crew(
    repository: PortalJobRepository, job: Job, entries: Sequence[ScheduleEntry], today: date
) -> view.CrewView:
    report = repository.latest_field_report(job.id, today)
    changes = repository.schedule_changes(job.id)
    names = repository.crew_names(
        {e.crew_id for e in entries if e.crew_id} | ({report.crew_id} if report else set())
    )
    placed = [(entry, Placement.of_entry(entry)) for entry in entries]
    scheduled = tuple(
        view.ScheduledWork(_work(entry), when(place), names[place.crew_id])
        for entry, place in placed
    )
    status = view.today_words(report.status, names.get(report.crew_id, "")) if report else ""
    return view.CrewView(status, scheduled, _notices(repository, job.id, changes))


def _notices(
    repository: PortalJobRepository, job_id: uuid.UUID, activities: Sequence[JobActivity]
) -> tuple[view.ScheduleNotice, ...]:
    plan_ids = {_uuid(activity.data.get("plan_id")) for activity in activities}
    triggers = {
        str(plan_id): trigger
        for plan_id, trigger in repository.plan_triggers({p for p in plan_ids if p}).items()
    }
    notices = (
        view.change_notice(
            change, triggers.get(str(activity.data.get("plan_id")), ""), activity.occurred_at.date()
        )
        for activity in activities
        for change in recorded_changes(job_id, activity.data)
    )
    return tuple(notice for notice in notices if notice is not None)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _work(entry: ScheduleEntry) -> str:
    words = PHASE_WORDS.get(entry.phase.value, entry.phase.value)
    return words[:1].upper() + words[1:]


def _issued(invoices: Sequence[Invoice], today: date) -> list[view.IssuedInvoice]:
    """The invoices the payer has: drafts and voided ones never show."""
    shown = []
    for invoice in invoices:
        state = view.ISSUED_STATES.get(status_on(invoice, today))
        if state is not None:
            shown.append(
                view.IssuedInvoice(
                    id=invoice.id,
                    number=invoice.number,
                    kind=invoice.kind,
                    payer=invoice.payer_kind,
                    issued_on=invoice.issue_date,
                    due_on=invoice.due_date,
                    total_cents=invoice.total_cents,
                    paid_cents=invoice.paid_cents,
                    state=state,
                )
            )
    return shown


def _insurance(job: Job, invoices: Sequence[view.IssuedInvoice]) -> view.InsuranceView | None:
    if job.payer != PayerKind.INSURANCE:
        return None
    claim = view.Claim(
        carrier=job.insurance_carrier,
        claim_number=job.claim_number,
        acv_cents=job.acv_cents,
        deductible_cents=job.deductible_cents,
        depreciation_held_cents=job.depreciation_held_cents,
        completed=job.stage in CLOSEOUT,
    )
    return view.insurance(claim, invoices)


def _photos(repository: PortalJobRepository, job_id: uuid.UUID) -> tuple[view.PhotoItem, ...]:
    return tuple(
        view.PhotoItem(photo.id, view.photo_alt(photo.caption, photo.uploaded_at.date()))
        for photo in repository.shared_photos(job_id)
    )


def _documents(repository: PortalJobRepository, job_id: uuid.UUID) -> tuple[view.DocumentItem, ...]:
    return tuple(
        view.DocumentItem(document.id, document.title, view.size_words(document.byte_size))
        for document in repository.shared_documents(job_id)
    )


homeowner_service = HomeownerService()
