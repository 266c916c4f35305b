"""What the New invoice form offers (amounts.offers) agrees with what raising would do, and the
list's reading of a status on a day (status.status_on) matches the rule's overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roofops.exceptions import RoofOpsError
from roofops.invoice import amounts
from roofops.invoice.amounts import NEEDS_NO_INPUT, Billed, Claim, JobTerms, Request
from roofops.invoice.status import status_on
from roofops.models import InvoiceKind, InvoicePayer
from roofops.models.invoice import Invoice, InvoiceStatus

TODAY = date(2026, 12, 4)
RETAIL = JobTerms("5003", 1_845_000, None, completed=False)
CLAIM = JobTerms("7100", 1_100_000, Claim(1_100_000, 150_000, 250_000), completed=False)


def offered(terms: JobTerms, billed: list[Billed]) -> dict[InvoiceKind, amounts.Offer]:
    return {offer.kind: offer for offer in amounts.offers(terms, billed)}


def test_a_retail_job_is_offered_no_insurance_kind() -> None:
    assert list(offered(RETAIL, [])) == [
        InvoiceKind.DEPOSIT,
        InvoiceKind.PROGRESS,
        InvoiceKind.FINAL,
    ]
    assert offered(RETAIL, [])[InvoiceKind.FINAL].total_cents == 1_845_000


def test_a_kind_used_up_or_not_due_yet_says_why() -> None:
    deposit = Billed(InvoiceKind.DEPOSIT, InvoicePayer.HOMEOWNER, 553_500)
    assert (
        "already has a deposit invoice" in offered(RETAIL, [deposit])[InvoiceKind.DEPOSIT].refusal
    )
    claim = offered(CLAIM, [])
    assert claim[InvoiceKind.INSURANCE_ACV].total_cents == 700_000
    assert "is not completed" in claim[InvoiceKind.DEPRECIATION_RELEASE].refusal
    done = offered(JobTerms("7100", 1_100_000, CLAIM.claim, completed=True), [])
    assert done[InvoiceKind.DEPRECIATION_RELEASE].total_cents == 250_000


BILLED = st.lists(
    st.builds(
        Billed,
        kind=st.sampled_from(list(InvoiceKind)),
        payer=st.just(InvoicePayer.HOMEOWNER),
        total_cents=st.integers(min_value=1, max_value=1_000_000),
    ),
    max_size=6,
)


@given(billed=BILLED, insurance=st.booleans(), completed=st.booleans())
def test_what_is_offered_is_what_raising_would_do(
    billed: list[Billed], insurance: bool, completed: bool
) -> None:
    """For the kinds figured from the job alone: offered exactly when figure() succeeds, at
    its total; refused with figure()'s own sentence."""
    claim = Claim(1_100_000, 150_000, 250_000) if insurance else None
    terms = JobTerms("J1", 1_100_000, claim, completed=completed)
    for offer in amounts.offers(terms, billed):
        if offer.kind not in NEEDS_NO_INPUT:
            continue
        assert (offer.refusal, offer.total_cents) == raising(terms, billed, offer.kind)


def raising(terms: JobTerms, billed: list[Billed], kind: InvoiceKind) -> tuple[str, int | None]:
    """What raising ``kind`` now comes to: ("", its total) or (the refusal, None)."""
    try:
        return "", amounts.figure(terms, billed, Request(kind)).total_cents
    except RoofOpsError as refused:
        return refused.message, None


@pytest.mark.parametrize(
    ("status", "due", "shown"),
    [
        (InvoiceStatus.SENT, TODAY, InvoiceStatus.SENT),  # due today is not late yet
        (InvoiceStatus.SENT, TODAY - timedelta(days=1), InvoiceStatus.OVERDUE),
        (InvoiceStatus.PARTIALLY_PAID, TODAY - timedelta(days=1), InvoiceStatus.OVERDUE),
        (InvoiceStatus.DRAFT, TODAY - timedelta(days=9), InvoiceStatus.DRAFT),  # never issued
        (InvoiceStatus.PAID, TODAY - timedelta(days=9), InvoiceStatus.PAID),
        (InvoiceStatus.VOID, TODAY - timedelta(days=9), InvoiceStatus.VOID),
        (InvoiceStatus.OVERDUE, TODAY + timedelta(days=9), InvoiceStatus.OVERDUE),  # as recorded
    ],
)
def test_status_on_a_day(status: InvoiceStatus, due: date, shown: InvoiceStatus) -> None:
    assert status_on(Invoice(status=status, due_date=due), TODAY) == shown
