"""The invoice arithmetic on its own: whatever is asked, in any order, the ceiling holds."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from roofops.exceptions import RoofOpsError
from roofops.invoice import amounts
from roofops.invoice.amounts import Billed, Claim, JobTerms, Request
from roofops.models import InvoiceKind, InvoicePayer

KINDS = st.sampled_from(list(InvoiceKind))
REQUESTS = st.builds(
    Request,
    kind=KINDS,
    percent=st.one_of(st.none(), st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)),
    amount_cents=st.one_of(st.none(), st.integers(min_value=1, max_value=5_000_000)),
    description=st.sampled_from(["", "Dry-in"]),
)


@given(
    contract=st.integers(min_value=0, max_value=10_000_000),
    insurance=st.booleans(),
    completed=st.booleans(),
    requests=st.lists(REQUESTS, max_size=12),
)
def test_invoices_never_pass_the_contract_plus_supplements(
    contract: int, insurance: bool, completed: bool, requests: list[Request]
) -> None:
    claim = Claim(contract, contract // 10, contract // 5) if insurance else None
    terms = JobTerms("J1", contract, claim, completed=completed)
    billed: list[Billed] = []
    for request in requests:
        try:
            figured = amounts.figure(terms, billed, request)
        except RoofOpsError:
            continue
        assert figured.total_cents > 0
        billed.append(Billed(request.kind, InvoicePayer.HOMEOWNER, figured.total_cents))
        assert amounts.invoiced(billed) <= amounts.ceiling(terms, billed)
    assert not (not completed and any(b.kind == InvoiceKind.DEPRECIATION_RELEASE for b in billed))


@given(
    rcv=st.integers(min_value=100_000, max_value=10_000_000),
    deductible_share=st.integers(min_value=0, max_value=30),
    depreciation_share=st.integers(min_value=0, max_value=40),
    supplement=st.integers(min_value=1, max_value=1_000_000),
)
def test_an_insurance_claim_bills_exactly_rcv_plus_supplements(
    rcv: int, deductible_share: int, depreciation_share: int, supplement: int
) -> None:
    claim = Claim(rcv, rcv * deductible_share // 100, rcv * depreciation_share // 100)
    terms = JobTerms("J1", rcv, claim, completed=True)
    billed: list[Billed] = []
    supplement_request = Request(InvoiceKind.SUPPLEMENT, amount_cents=supplement, description="x")
    for request in (
        Request(InvoiceKind.INSURANCE_ACV),
        supplement_request,
        Request(InvoiceKind.DEDUCTIBLE),
        Request(InvoiceKind.DEPRECIATION_RELEASE),
    ):
        try:
            figured = amounts.figure(terms, billed, request)
        except RoofOpsError:  # a zero deductible or depreciation: nothing to invoice
            continue
        billed.append(Billed(request.kind, InvoicePayer.HOMEOWNER, figured.total_cents))
    assert amounts.invoiced(billed) == rcv + supplement == amounts.ceiling(terms, billed)
