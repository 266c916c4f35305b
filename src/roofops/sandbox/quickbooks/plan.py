"""Which invoices and payments a demo job has, from its payer, type and stage history.

* insurance: ``N`` for the ACV (paid by the homeowner's deductible and the carrier's first
  check), then at invoicing ``N-2`` for the recoverable depreciation and, for about a third of
  claims, ``N-3`` for a supplement;
* retail roofs: ``N`` for the deposit at signing, ``N-2`` for the balance at invoicing;
* small jobs (repairs, gutters, inspections): ``N`` alone, at invoicing.

Invoices are paid when the job reached ``paid``; a cancelled job's invoices stay unpaid (the
builder voids them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from roofops.demo.records import JobRow
from roofops.models.enums import JobStage, JobType, PayerKind
from roofops.sandbox.quickbooks.costs import Economics

S = JobStage
SALES_ITEM = {
    JobType.REROOF: "Roof Replacement",
    JobType.REPAIR: "Roof Repair",
    JobType.GUTTERS: "Gutters",
    JobType.INSPECTION: "Roof Inspection",
    JobType.NEW_CONSTRUCTION: "New Construction Roofing",
}
DEPOSIT_SHARES = (Decimal("0.30"), Decimal("0.33"), Decimal("0.50"))


@dataclass(frozen=True)
class PlannedPayment:
    cents: int
    at: datetime
    note: str


@dataclass
class PlannedInvoice:
    suffix: str
    item: str
    description: str
    cents: int
    at: datetime
    payments: list[PlannedPayment] = field(default_factory=list)


def _paid(cents: int, at: datetime | None, note: str) -> list[PlannedPayment]:
    return [PlannedPayment(cents, at, note)] if at is not None else []


def invoice_plan(
    job: JobRow, money: Economics, times: dict[JobStage, datetime], rng: random.Random
) -> list[PlannedInvoice]:
    if job.payer == PayerKind.INSURANCE and job.rcv_cents:
        plan = _insurance(job, money, times, rng)
    elif job.job_type in (JobType.REROOF, JobType.NEW_CONSTRUCTION):
        plan = _deposit_and_balance(job, money, times, rng)
    else:
        plan = _single(job, money, times)
    if S.CANCELLED in times:
        for planned in plan:
            planned.payments.clear()
    return plan


def _insurance(
    job: JobRow, money: Economics, times: dict[JobStage, datetime], rng: random.Random
) -> list[PlannedInvoice]:
    signed, invoiced, paid = times[S.CONTRACT_SIGNED], times.get(S.INVOICED), times.get(S.PAID)
    acv = job.acv_cents or 0
    deductible = min(job.deductible_cents or 0, acv)
    carrier = f"{job.insurance_carrier} claim {job.claim_number}"
    first = PlannedInvoice("", SALES_ITEM[job.job_type], f"ACV - {job.description}", acv, signed)
    first.payments = [
        PlannedPayment(deductible, signed + timedelta(days=rng.randint(0, 7)), "Deductible"),
        PlannedPayment(acv - deductible, signed + timedelta(days=rng.randint(10, 30)), carrier),
    ]
    if invoiced is None:
        return [first]
    depreciation = (job.rcv_cents or 0) - acv
    release = PlannedInvoice(
        "-2", "Depreciation Release", "Recoverable depreciation", depreciation, invoiced
    )
    release.payments = _paid(depreciation, paid, f"{carrier} depreciation")
    if not money.supplement_cents:
        return [first, release]
    supplement = PlannedInvoice(
        "-3",
        "Insurance Supplement",
        "Supplement approved by carrier",
        money.supplement_cents,
        invoiced,
    )
    supplement.payments = _paid(money.supplement_cents, paid, f"{carrier} supplement")
    return [first, release, supplement]


def _deposit_and_balance(
    job: JobRow, money: Economics, times: dict[JobStage, datetime], rng: random.Random
) -> list[PlannedInvoice]:
    signed, invoiced, paid = times[S.CONTRACT_SIGNED], times.get(S.INVOICED), times.get(S.PAID)
    total, item = money.revenue_cents, SALES_ITEM[job.job_type]
    deposit = int(total * rng.choice(DEPOSIT_SHARES))
    first = PlannedInvoice("", item, f"Deposit - {job.description}", deposit, signed)
    first.payments = _paid(deposit, signed + timedelta(days=rng.randint(0, 3)), "Deposit")
    if invoiced is None:
        return [first]
    balance = PlannedInvoice(
        "-2", item, f"Balance due - {job.description}", total - deposit, invoiced
    )
    balance.payments = _paid(total - deposit, paid, "Final payment")
    return [first, balance]


def _single(job: JobRow, money: Economics, times: dict[JobStage, datetime]) -> list[PlannedInvoice]:
    invoiced, paid = times.get(S.INVOICED), times.get(S.PAID)
    if invoiced is None:
        return []
    total = money.revenue_cents
    only = PlannedInvoice("", SALES_ITEM[job.job_type], job.description, total, invoiced)
    only.payments = _paid(total, paid, "Payment")
    return [only]
