"""The portal's words, figured without a database: timelines, schedule changes, insurance."""

from __future__ import annotations

import uuid
from datetime import date

from roofops.dispatch.changes import Placement, WorkChange
from roofops.models.enums import JobStage
from roofops.models.invoice import InvoiceKind, InvoicePayer
from roofops.portal import job_view as view

JOB = uuid.uuid4()
CREWS = (uuid.uuid4(), uuid.uuid4())
MAR_2, MAR_3 = date(2027, 3, 2), date(2027, 3, 3)


def _placed(crew: uuid.UUID, on: date) -> Placement:
    return Placement(JOB, "install", crew, on, on)


def test_a_skipped_stage_is_done_without_a_date() -> None:
    steps = view.timeline(
        JobStage.CONTRACT_SIGNED, {JobStage.LEAD: MAR_2, JobStage.CONTRACT_SIGNED: MAR_3}
    )

    assert [(s.label, s.state, s.reached_on) for s in steps[:5]] == [
        ("Request received", "done", "Mar 2, 2027"),
        ("Inspection", "done", ""),
        ("Estimate", "done", ""),
        ("Contract signed", "current", "Mar 3, 2027"),
        ("Materials ordered", "upcoming", ""),
    ]


def test_a_stage_reached_after_the_current_one_shows_no_date() -> None:
    """A job moved back (in production -> scheduled) has not reached the later stage now."""
    reached = {JobStage.SCHEDULED: MAR_3, JobStage.IN_PRODUCTION: MAR_2}

    steps = view.timeline(JobStage.SCHEDULED, reached)

    assert [s.reached_on for s in steps if s.label == "Work in progress"] == [""]


def test_a_cancelled_job_lists_what_it_went_through_then_cancelled() -> None:
    reached = {JobStage.LEAD: MAR_2, JobStage.CANCELLED: MAR_3}

    steps = view.timeline(JobStage.CANCELLED, reached)

    assert [(s.label, s.state) for s in steps] == [
        ("Request received", "done"),
        ("Cancelled", "current"),
    ]


def test_every_stage_has_words_for_the_homeowner() -> None:
    assert set(view.STAGE_WORDS) == set(JobStage)


def test_a_crew_swap_on_the_same_day_is_no_news_to_the_homeowner() -> None:
    swap = WorkChange(JOB, "install", _placed(CREWS[0], MAR_2), _placed(CREWS[1], MAR_2))

    assert view.change_notice(swap, "replan: crew out", MAR_2) is None


def test_a_move_says_why_when_the_plan_was_a_replan() -> None:
    move = WorkChange(JOB, "install", _placed(CREWS[0], MAR_2), _placed(CREWS[0], MAR_3))

    crew_out = view.change_notice(move, "replan: crew out", MAR_2)
    manual = view.change_notice(move, "manual move", MAR_2)

    assert crew_out is not None
    assert crew_out.text == (
        "Your roof install moved to Wed Mar 3 (it was Tue Mar 2), because a crew is unavailable."
    )
    assert manual is not None
    assert manual.text == "Your roof install moved to Wed Mar 3 (it was Tue Mar 2)."


def _invoice(
    kind: InvoiceKind, total: int, paid: int, state: view.PaymentState
) -> view.IssuedInvoice:
    return view.IssuedInvoice(
        uuid.uuid4(),
        "7100-2",
        kind,
        InvoicePayer.INSURANCE_CARRIER,
        MAR_2,
        MAR_3,
        total,
        paid,
        state,
    )


def test_insurance_steps_follow_the_claim() -> None:
    claim = view.Claim("Mutual", "C-1", 1_600_000, 100_000, 300_000, completed=True)
    release = _invoice(InvoiceKind.DEPRECIATION_RELEASE, 300_000, 0, view.PaymentState.DUE)
    acv = _invoice(InvoiceKind.INSURANCE_ACV, 1_600_000, 600_000, view.PaymentState.PARTLY_PAID)

    before = view.insurance(claim, [])
    after = view.insurance(claim, [acv, release])

    assert before.steps == (
        "Your insurer's first payment (ACV) will be $16,000.00.",
        "Your deductible is $1,000.00: your share of the claim, paid to us.",
        "Your insurer holds back $3,000.00 (depreciation) until the work is done; we are "
        "sending them the proof of completion.",
    )
    assert after.steps[0] == "ACV partly received: $6,000.00 of $16,000.00 so far."
    assert (
        after.steps[2]
        == "We asked your insurer to release the $3,000.00 it held back (depreciation)."
    )
