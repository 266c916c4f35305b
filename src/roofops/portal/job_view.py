"""What the homeowner's pages show, as small frozen view models: the whitelist of what may leave
the office. Templates get these, never ORM rows, so a cost, a margin, an internal note, a crew
member's phone or an unshared photo cannot reach a page by a template's mistake.

Everything here is pure (no database): roofops.portal.homeowner reads, these shape."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from roofops.dispatch.changes import WorkChange
from roofops.dispatch.notifications import customer_news
from roofops.forecast.results import DateBand
from roofops.invoice.amounts import dollars
from roofops.job.lifecycle import PIPELINE
from roofops.kit.types import StrEnum
from roofops.models.dispatch import DispatchEventKind
from roofops.models.enums import JobStage
from roofops.models.field import FieldStatus
from roofops.models.invoice import InvoiceKind, InvoicePayer, InvoiceStatus

# The stage in the homeowner's words, and what happens next while the job is in it.
STAGE_WORDS: dict[JobStage, tuple[str, str]] = {
    JobStage.LEAD: (
        "Request received",
        "We have your request. Our office will call you to arrange a visit.",
    ),
    JobStage.INSPECTION: (
        "Inspection",
        "We inspect your roof and write down what it needs.",
    ),
    JobStage.ESTIMATE: (
        "Estimate",
        "We are preparing your estimate and will go through it with you.",
    ),
    JobStage.CONTRACT_SIGNED: (
        "Contract signed",
        "Thank you for signing. Next we order your materials.",
    ),
    JobStage.MATERIALS_ORDERED: (
        "Materials ordered",
        "Your materials are on order. Next we put your job on a crew's schedule.",
    ),
    JobStage.SCHEDULED: (
        "Scheduled",
        "Your job is on the schedule. The crew comes on the days shown below.",
    ),
    JobStage.IN_PRODUCTION: (
        "Work in progress",
        "The crew is working on your roof. We will tell you when it is finished.",
    ),
    JobStage.COMPLETED: (
        "Work completed",
        "The work is done. Next we send the final invoice.",
    ),
    JobStage.INVOICED: (
        "Final invoice sent",
        "Your final invoice is out. Once it is paid, your job is closed.",
    ),
    JobStage.PAID: (
        "Paid in full",
        "Everything is paid. Thank you for choosing us.",
    ),
    JobStage.LOST: (
        "Not going ahead",
        "This job is not going ahead. Send us a message if you would like to pick it up again.",
    ),
    JobStage.CANCELLED: (
        "Cancelled",
        "This job was cancelled. Send us a message if you have questions.",
    ),
}
ENDED = frozenset({JobStage.LOST, JobStage.CANCELLED})
CONFIDENCE = "80% of similar jobs"  # a DateBand's p10 to p90
NOT_SCHEDULED = "We will let you know once your job is scheduled."

# Why a plan moved work, from its trigger ("replan: weather"), as the homeowner hears it.
REPLAN_REASONS = {
    DispatchEventKind.WEATHER: "because of the weather forecast",
    DispatchEventKind.CREW_OUT: "because a crew is unavailable",
    DispatchEventKind.OVERRUN: "because an earlier job is taking longer than planned",
    DispatchEventKind.LATE_MATERIALS: "because the materials arrive later",
    DispatchEventKind.URGENT_JOB: "to fit in an urgent repair",
}
FIELD_WORDS = {
    FieldStatus.EN_ROUTE: "{crew} is on the way.",
    FieldStatus.ON_SITE: "{crew} is on site.",
    FieldStatus.FINISHED: "{crew} has finished for today.",
    FieldStatus.BLOCKED: "Work is paused for now; our office will be in touch.",
}
KIND_WORDS = {
    InvoiceKind.DEPOSIT: "Deposit",
    InvoiceKind.PROGRESS: "Progress payment",
    InvoiceKind.FINAL: "Final invoice",
    InvoiceKind.INSURANCE_ACV: "Insurance first payment (ACV)",
    InvoiceKind.DEDUCTIBLE: "Your deductible",
    InvoiceKind.DEPRECIATION_RELEASE: "Release of depreciation held",
    InvoiceKind.SUPPLEMENT: "Approved extra work (supplement)",
}
PAYER_WORDS = {
    InvoicePayer.HOMEOWNER: "Paid by you",
    InvoicePayer.INSURANCE_CARRIER: "Paid by your insurance company",
    InvoicePayer.FINANCING: "Paid by your financing company",
}


class PaymentState(StrEnum):
    PAID = "paid"
    PARTLY_PAID = "partly paid"
    DUE = "due"
    OVERDUE = "overdue"


ISSUED_STATES = {
    InvoiceStatus.PAID: PaymentState.PAID,
    InvoiceStatus.PARTIALLY_PAID: PaymentState.PARTLY_PAID,
    InvoiceStatus.SENT: PaymentState.DUE,
    InvoiceStatus.OVERDUE: PaymentState.OVERDUE,
}


def day_words(on: date) -> str:
    """'Mar 3, 2027': short, unambiguous in any locale's reading."""
    return f"{on:%b} {on.day}, {on.year}"


def stage_label(stage: JobStage) -> str:
    return STAGE_WORDS[stage][0]


# ----- the jobs list ---------------------------------------------------------------------------
@dataclass(frozen=True)
class JobCard:
    id: uuid.UUID
    number: str
    address: str
    stage: str
    next_date: str  # "" when there is nothing to say yet


# ----- timeline --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineStep:
    label: str
    what_next: str
    state: str  # "done", "current" or "upcoming"
    reached_on: str  # "" when not reached (or skipped)


def timeline(stage: JobStage, reached: Mapping[JobStage, date]) -> tuple[TimelineStep, ...]:
    """The roofing stages with the day the job reached each; a job that ended early shows the
    stages it went through and how it ended."""
    steps = list(PIPELINE)
    if stage in ENDED:
        steps = [step for step in PIPELINE if step in reached] + [stage]
    current = steps.index(stage)
    return tuple(
        TimelineStep(
            label=STAGE_WORDS[step][0],
            what_next=STAGE_WORDS[step][1],
            state="done" if n < current else "current" if n == current else "upcoming",
            reached_on=day_words(reached[step]) if n <= current and step in reached else "",
        )
        for n, step in enumerate(steps)
    )


# ----- when ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WhenView:
    source: str  # "forecast", "schedule", "finished" or "unknown": the page says which it is
    lines: tuple[str, ...]


def band_words(band: DateBand) -> str:
    """'most likely Mar 3, 2027; between Feb 27, 2027 and Mar 9, 2027 (80% of similar jobs)'."""
    return (
        f"most likely {day_words(band.p50)}; between {day_words(band.p10)} and "
        f"{day_words(band.p90)} ({CONFIDENCE})"
    )


def forecast_lines(start: DateBand | None, finish: DateBand) -> tuple[str, ...]:
    install = (f"Install: {band_words(start)}.",) if start else ()
    return (*install, f"Completion: {band_words(finish)}.")


# ----- crew notices ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduledWork:
    work: str  # "Roof install"
    when: str  # "Mon Dec 7 to Wed Dec 9"
    crew: str  # the crew's name only


@dataclass(frozen=True)
class ScheduleNotice:
    on: str  # when the change was published
    text: str


@dataclass(frozen=True)
class CrewView:
    today: str  # "" unless a crew reported on the job today
    scheduled: tuple[ScheduledWork, ...]
    changes: tuple[ScheduleNotice, ...]


def today_words(status: FieldStatus, crew: str) -> str:
    return FIELD_WORDS[status].format(crew=crew or "The crew")


def change_notice(change: WorkChange, trigger: str, on: date) -> ScheduleNotice | None:
    """A published change the homeowner hears of (a swap of crews on the same days is not)."""
    if not change.moves_the_customer:
        return None
    news = customer_news(change)
    kind = _replan_kind(trigger)
    reason = REPLAN_REASONS.get(kind) if kind else None
    text = news[:1].upper() + news[1:] + (f", {reason}" if reason else "") + "."
    return ScheduleNotice(on=day_words(on), text=text)


def _replan_kind(trigger: str) -> DispatchEventKind | None:
    words = trigger.removeprefix("replan: ").replace(" ", "_")
    return DispatchEventKind(words) if words in set(DispatchEventKind) else None


# ----- money -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceRow:
    id: uuid.UUID
    number: str
    kind: str
    issued_on: str
    due_on: str
    amount: str
    paid: str
    still_due: str
    state: PaymentState


@dataclass(frozen=True)
class PayerGroup:
    title: str
    invoices: tuple[InvoiceRow, ...]
    invoiced: str
    paid: str
    still_due: str


@dataclass(frozen=True)
class IssuedInvoice:
    """An invoice the payer has (not a draft, not void) as of today, in plain values."""

    id: uuid.UUID
    number: str
    kind: InvoiceKind
    payer: InvoicePayer
    issued_on: date
    due_on: date
    total_cents: int
    paid_cents: int
    state: PaymentState


def payer_groups(invoices: Sequence[IssuedInvoice]) -> tuple[PayerGroup, ...]:
    return tuple(
        _group(payer, mine)
        for payer in InvoicePayer
        if (mine := [invoice for invoice in invoices if invoice.payer == payer])
    )


def _group(payer: InvoicePayer, invoices: Sequence[IssuedInvoice]) -> PayerGroup:
    invoiced = sum(invoice.total_cents for invoice in invoices)
    paid = sum(invoice.paid_cents for invoice in invoices)
    return PayerGroup(
        title=PAYER_WORDS[payer],
        invoices=tuple(_row(invoice) for invoice in invoices),
        invoiced=dollars(invoiced),
        paid=dollars(paid),
        still_due=dollars(invoiced - paid),
    )


def _row(invoice: IssuedInvoice) -> InvoiceRow:
    return InvoiceRow(
        id=invoice.id,
        number=invoice.number,
        kind=KIND_WORDS[invoice.kind],
        issued_on=day_words(invoice.issued_on),
        due_on=day_words(invoice.due_on),
        amount=dollars(invoice.total_cents),
        paid=dollars(invoice.paid_cents),
        still_due=dollars(invoice.total_cents - invoice.paid_cents),
        state=invoice.state,
    )


@dataclass(frozen=True)
class Claim:
    """The job's insurance claim as the job records it (cents; None when not recorded)."""

    carrier: str
    claim_number: str
    acv_cents: int | None
    deductible_cents: int | None
    depreciation_held_cents: int | None
    completed: bool


@dataclass(frozen=True)
class InsuranceView:
    carrier: str
    claim_number: str
    steps: tuple[str, ...]


def insurance(claim: Claim, invoices: Iterable[IssuedInvoice]) -> InsuranceView:
    """The claim's next steps in plain words (domain: the carrier pays RCV minus depreciation
    minus deductible first, the homeowner pays the deductible, the held depreciation is
    released once completion is documented)."""
    by_kind = {invoice.kind: invoice for invoice in invoices}
    steps = (
        _acv_step(claim, by_kind.get(InvoiceKind.INSURANCE_ACV)),
        _deductible_step(claim, by_kind.get(InvoiceKind.DEDUCTIBLE)),
        _depreciation_step(claim, by_kind.get(InvoiceKind.DEPRECIATION_RELEASE)),
    )
    return InsuranceView(claim.carrier, claim.claim_number, tuple(s for s in steps if s))


def _acv_step(claim: Claim, invoice: IssuedInvoice | None) -> str:
    if invoice is None:
        if claim.acv_cents is None:
            return ""
        return f"Your insurer's first payment (ACV) will be {dollars(claim.acv_cents)}."
    amount = dollars(invoice.total_cents)
    if invoice.state == PaymentState.PAID:
        return f"ACV received: your insurer's first payment of {amount} has arrived."
    if invoice.paid_cents:
        return f"ACV partly received: {dollars(invoice.paid_cents)} of {amount} so far."
    return f"ACV not received yet: we asked your insurer for {amount}."


def _deductible_step(claim: Claim, invoice: IssuedInvoice | None) -> str:
    if claim.deductible_cents is None:
        return ""
    amount = dollars(claim.deductible_cents)
    if invoice is not None and invoice.state == PaymentState.PAID:
        return f"Your deductible of {amount} is paid. Thank you."
    return f"Your deductible is {amount}: your share of the claim, paid to us."


def _depreciation_step(claim: Claim, invoice: IssuedInvoice | None) -> str:
    held = claim.depreciation_held_cents
    if invoice is not None:
        amount = dollars(invoice.total_cents)
        if invoice.state == PaymentState.PAID:
            return f"Your insurer released the {amount} it held back (depreciation)."
        return f"We asked your insurer to release the {amount} it held back (depreciation)."
    if not held:
        return ""
    after = (
        "the work is done; we are sending them the proof of completion"
        if claim.completed
        else "the work is completed; we send them the proof"
    )
    return f"Your insurer holds back {dollars(held)} (depreciation) until {after}."


# ----- documents and photos --------------------------------------------------------------------
@dataclass(frozen=True)
class PhotoItem:
    id: uuid.UUID
    alt: str


@dataclass(frozen=True)
class DocumentItem:
    id: uuid.UUID
    title: str
    size: str


def photo_alt(caption: str, taken_on: date) -> str:
    return caption or f"Photo of your roof, {day_words(taken_on)}"


def size_words(byte_size: int) -> str:
    if byte_size < 1024 * 1024:
        return f"{max(1, round(byte_size / 1024))} KB"
    return f"{byte_size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class FileView:
    """Bytes to serve, with the name a browser saves them under."""

    data: bytes
    content_type: str
    filename: str


# ----- the page --------------------------------------------------------------------------------
@dataclass(frozen=True)
class JobPage:
    id: uuid.UUID
    number: str
    address: str
    stage: str
    timeline: tuple[TimelineStep, ...]
    when: WhenView
    crew: CrewView
    payers: tuple[PayerGroup, ...]
    insurance: InsuranceView | None
    photos: tuple[PhotoItem, ...]
    documents: tuple[DocumentItem, ...]
