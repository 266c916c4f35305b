"""How much each kind of invoice asks for, figured from the job and what it was already invoiced.

Pure arithmetic on plain values (no database): every refusal names the figures it compared.
The rules in words: docs/finance.md, "Invoices and payers".

- The ceiling: a job is never invoiced more, in total, than its contract plus the supplements
  the carrier approved (each supplement invoice is one approved amount and raises the ceiling
  by itself).
- Insurance (domain spec, "ACV / RCV arithmetic"): the carrier's first cheque is
  RCV - depreciation held - deductible; the homeowner owes the deductible; the held depreciation
  is released by the carrier once completion is documented. Together they are the RCV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from roofops.exceptions import Conflict, ValidationFailed
from roofops.kit.money import from_cents
from roofops.models.invoice import InvoiceKind, InvoicePayer

# Kinds a job gets at most once (while not void): each is one fixed share of the job.
ONCE_PER_JOB = frozenset(
    {
        InvoiceKind.DEPOSIT,
        InvoiceKind.FINAL,
        InvoiceKind.INSURANCE_ACV,
        InvoiceKind.DEDUCTIBLE,
        InvoiceKind.DEPRECIATION_RELEASE,
    }
)
INSURANCE_ONLY = frozenset(
    {
        InvoiceKind.INSURANCE_ACV,
        InvoiceKind.DEDUCTIBLE,
        InvoiceKind.DEPRECIATION_RELEASE,
        InvoiceKind.SUPPLEMENT,
    }
)
# Who pays each insurance kind; the other kinds go to the homeowner or a financing company.
INSURANCE_PAYERS = {
    InvoiceKind.INSURANCE_ACV: InvoicePayer.INSURANCE_CARRIER,
    InvoiceKind.DEDUCTIBLE: InvoicePayer.HOMEOWNER,
    InvoiceKind.DEPRECIATION_RELEASE: InvoicePayer.INSURANCE_CARRIER,
    InvoiceKind.SUPPLEMENT: InvoicePayer.INSURANCE_CARRIER,
}


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${from_cents(abs(cents)):,}"


@dataclass(frozen=True)
class Billed:
    """One of the job's invoices that is not void."""

    kind: InvoiceKind
    payer: InvoicePayer
    total_cents: int


@dataclass(frozen=True)
class Claim:
    """The insurance figures of a job (cents; None when not recorded)."""

    rcv_cents: int | None
    deductible_cents: int | None
    depreciation_cents: int | None


@dataclass(frozen=True)
class JobTerms:
    number: str
    contract_cents: int | None
    claim: Claim | None  # None for a retail job
    completed: bool  # completion documented: the stage is completed, invoiced or paid


@dataclass(frozen=True)
class Request:
    kind: InvoiceKind
    percent: Decimal | None = None
    amount_cents: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Line:
    description: str
    unit_price_cents: int
    quantity: Decimal = Decimal(1)

    @property
    def amount_cents(self) -> int:
        return _round(self.quantity * self.unit_price_cents)


@dataclass(frozen=True)
class Figured:
    lines: tuple[Line, ...]

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(percent: Decimal, of_cents: int) -> int:
    """``percent`` % of an amount, to the cent (half up)."""
    return _round(Decimal(of_cents) * percent / 100)


def supplements(billed: Sequence[Billed]) -> int:
    return sum(b.total_cents for b in billed if b.kind == InvoiceKind.SUPPLEMENT)


def invoiced(billed: Sequence[Billed]) -> int:
    return sum(b.total_cents for b in billed)


def ceiling(terms: JobTerms, billed: Sequence[Billed]) -> int:
    """What the job may be invoiced in total: its contract plus the approved supplements."""
    return (terms.contract_cents or 0) + supplements(billed)


def figure(terms: JobTerms, billed: Sequence[Billed], request: Request) -> Figured:
    """The lines of the invoice ``request`` asks for; Conflict (409) when it makes no sense."""
    _check_kind(terms, billed, request.kind)
    figured = FIGURERS[request.kind](terms, billed, request)
    if figured.total_cents <= 0:
        raise Conflict(
            f"a {request.kind.value} invoice of job {terms.number} would be "
            f"{dollars(figured.total_cents)}: there is nothing to invoice",
            kind=request.kind.value,
        )
    _check_ceiling(terms, billed, request.kind, figured.total_cents)
    return figured


# Kinds figured from the job alone: offering one can try it whole (ceiling and all).
NEEDS_NO_INPUT = frozenset(
    {
        InvoiceKind.FINAL,
        InvoiceKind.INSURANCE_ACV,
        InvoiceKind.DEDUCTIBLE,
        InvoiceKind.DEPRECIATION_RELEASE,
    }
)


@dataclass(frozen=True)
class Offer:
    """A kind the job could be invoiced for now, or why not (figure()'s own refusal)."""

    kind: InvoiceKind
    refusal: str = ""
    total_cents: int | None = None  # known beforehand for the kinds that need no input


def offers(terms: JobTerms, billed: Sequence[Billed]) -> list[Offer]:
    """Every kind that fits the job (insurance kinds only on an insurance job), each with the
    refusal raising it now would meet, so a form offers only what would succeed."""
    kinds = [k for k in InvoiceKind if terms.claim is not None or k not in INSURANCE_ONLY]
    return [_offer(terms, billed, kind) for kind in kinds]


def _offer(terms: JobTerms, billed: Sequence[Billed], kind: InvoiceKind) -> Offer:
    try:
        if kind not in NEEDS_NO_INPUT:
            _check_kind(terms, billed, kind)
            return Offer(kind)
        return Offer(kind, total_cents=figure(terms, billed, Request(kind)).total_cents)
    except Conflict as refused:
        return Offer(kind, refusal=refused.message)


def _check_kind(terms: JobTerms, billed: Sequence[Billed], kind: InvoiceKind) -> None:
    if kind in INSURANCE_ONLY and terms.claim is None:
        raise Conflict(
            f"job {terms.number} is a retail job: a {kind.value} invoice is for insurance jobs",
            kind=kind.value,
        )
    if kind in ONCE_PER_JOB and any(b.kind == kind for b in billed):
        raise Conflict(
            f"job {terms.number} already has a {kind.value} invoice: void it first to raise "
            "another",
            kind=kind.value,
        )
    if kind != InvoiceKind.SUPPLEMENT and terms.contract_cents is None:
        raise Conflict(
            f"job {terms.number} has no contract amount (nor an RCV): record the signed price "
            "first",
            kind=kind.value,
        )


def _check_ceiling(
    terms: JobTerms, billed: Sequence[Billed], kind: InvoiceKind, total_cents: int
) -> None:
    if kind == InvoiceKind.SUPPLEMENT:
        return  # an approved supplement raises the ceiling by its own amount
    limit, before = ceiling(terms, billed), invoiced(billed)
    if before + total_cents > limit:
        raise Conflict(
            f"this {kind.value} invoice of {dollars(total_cents)} would bring job "
            f"{terms.number}'s invoices to {dollars(before + total_cents)}, more than its "
            f"contract {dollars(terms.contract_cents or 0)} plus approved supplements "
            f"{dollars(supplements(billed))} = {dollars(limit)}; "
            f"{dollars(max(limit - before, 0))} is left to invoice",
            kind=kind.value,
            contract=str(from_cents(terms.contract_cents or 0)),
            invoiced=str(from_cents(before)),
            requested=str(from_cents(total_cents)),
        )


def _percent_or_amount(terms: JobTerms, request: Request, *, what: str) -> Line:
    contract = terms.contract_cents or 0
    if (request.percent is None) == (request.amount_cents is None):
        raise ValidationFailed(f"a {what} invoice takes a percent or an amount (one of them)")
    if request.percent is not None:
        return Line(
            f"{what}: {request.percent.normalize():f}% of the contract {dollars(contract)}",
            share(request.percent, contract),
        )
    assert request.amount_cents is not None
    return Line(what, request.amount_cents)


def _deposit(terms: JobTerms, _billed: Sequence[Billed], request: Request) -> Figured:
    if request.amount_cents is not None:
        raise ValidationFailed("a deposit is a percent of the contract, not an amount")
    return Figured((_percent_or_amount(terms, request, what="Deposit"),))


def _progress(terms: JobTerms, _billed: Sequence[Billed], request: Request) -> Figured:
    if not request.description:
        raise ValidationFailed("a progress invoice names its milestone (description)")
    line = _percent_or_amount(terms, request, what=f"Progress: {request.description}")
    return Figured((line,))


def _final(terms: JobTerms, billed: Sequence[Billed], _request: Request) -> Figured:
    """What is left of the contract (plus supplements) once everything invoiced is taken off,
    and on an insurance job also the carrier's and deductible shares not yet invoiced."""
    before, added = invoiced(billed), supplements(billed)
    lines = [Line("Contract", terms.contract_cents or 0)]
    if added:
        lines.append(Line("Plus approved supplements", added))
    if before:
        lines.append(Line("Less invoiced before", -before))
    for label, cents in _claim_still_to_invoice(terms, billed):
        lines.append(Line(f"Less {label} still to be invoiced", -cents))
    return Figured(tuple(lines))


def _claim_still_to_invoice(terms: JobTerms, billed: Sequence[Billed]) -> list[tuple[str, int]]:
    if terms.claim is None or terms.claim.rcv_cents is None:
        return []
    kinds = {b.kind for b in billed}
    parts = []
    deductible = terms.claim.deductible_cents or 0
    depreciation = terms.claim.depreciation_cents or 0
    if InvoiceKind.INSURANCE_ACV not in kinds:
        parts.append(("insurance ACV", terms.claim.rcv_cents - depreciation - deductible))
    if InvoiceKind.DEDUCTIBLE not in kinds:
        parts.append(("deductible", deductible))
    if InvoiceKind.DEPRECIATION_RELEASE not in kinds:
        parts.append(("depreciation held", depreciation))
    return [(label, cents) for label, cents in parts if cents > 0]


def _claim(terms: JobTerms, kind: InvoiceKind, *needed: str) -> Claim:
    claim = terms.claim
    assert claim is not None
    missing = [name for name in needed if getattr(claim, f"{name}_cents") is None]
    if missing:
        raise Conflict(
            f"job {terms.number} has no {' or '.join(missing)} recorded: a {kind.value} invoice "
            "is figured from it (record 0 when there is none)",
            kind=kind.value,
        )
    return claim


def _acv(terms: JobTerms, _billed: Sequence[Billed], _request: Request) -> Figured:
    claim = _claim(terms, InvoiceKind.INSURANCE_ACV, "rcv", "depreciation", "deductible")
    return Figured(
        (
            Line("Replacement cost value (RCV)", claim.rcv_cents or 0),
            Line("Less recoverable depreciation held", -(claim.depreciation_cents or 0)),
            Line("Less the homeowner's deductible", -(claim.deductible_cents or 0)),
        )
    )


def _deductible(terms: JobTerms, _billed: Sequence[Billed], _request: Request) -> Figured:
    claim = _claim(terms, InvoiceKind.DEDUCTIBLE, "deductible")
    return Figured((Line("Insurance deductible", claim.deductible_cents or 0),))


def _depreciation(terms: JobTerms, _billed: Sequence[Billed], _request: Request) -> Figured:
    claim = _claim(terms, InvoiceKind.DEPRECIATION_RELEASE, "depreciation")
    if not terms.completed:
        raise Conflict(
            f"job {terms.number} is not completed: the carrier releases the depreciation held "
            f"({dollars(claim.depreciation_cents or 0)}) only once completion is documented "
            "(move the job to completed first)",
            kind=InvoiceKind.DEPRECIATION_RELEASE.value,
        )
    return Figured((Line("Recoverable depreciation release", claim.depreciation_cents or 0),))


def _supplement(_terms: JobTerms, _billed: Sequence[Billed], request: Request) -> Figured:
    if request.amount_cents is None or request.percent is not None:
        raise ValidationFailed("a supplement invoice takes the approved amount (not a percent)")
    if not request.description:
        raise ValidationFailed("a supplement invoice says what was approved (description)")
    return Figured((Line(f"Approved supplement: {request.description}", request.amount_cents),))


FIGURERS = {
    InvoiceKind.DEPOSIT: _deposit,
    InvoiceKind.PROGRESS: _progress,
    InvoiceKind.FINAL: _final,
    InvoiceKind.INSURANCE_ACV: _acv,
    InvoiceKind.DEDUCTIBLE: _deductible,
    InvoiceKind.DEPRECIATION_RELEASE: _depreciation,
    InvoiceKind.SUPPLEMENT: _supplement,
}
