"""The lifecycle rules, checked exhaustively and by property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roofops.job.lifecycle import PIPELINE, allowed_targets, refusal
from roofops.models.enums import JobStage


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (JobStage.LEAD, JobStage.INSPECTION),
        (JobStage.LEAD, JobStage.CONTRACT_SIGNED),
        (JobStage.CONTRACT_SIGNED, JobStage.IN_PRODUCTION),
        (JobStage.IN_PRODUCTION, JobStage.COMPLETED),
        (JobStage.COMPLETED, JobStage.PAID),
        (JobStage.ESTIMATE, JobStage.LOST),
        (JobStage.SCHEDULED, JobStage.CANCELLED),
    ],
)
def test_legal_moves(current: JobStage, target: JobStage) -> None:
    assert refusal(current, target) is None


@pytest.mark.parametrize(
    ("current", "target", "words"),
    [
        (JobStage.LEAD, JobStage.SCHEDULED, "without passing 'Contract signed'"),
        (JobStage.SCHEDULED, JobStage.INVOICED, "without passing 'Completed'"),
        (JobStage.PAID, JobStage.LEAD, "paid job is closed"),
        (JobStage.COMPLETED, JobStage.CANCELLED, "cannot be cancelled"),
        (JobStage.SCHEDULED, JobStage.LOST, "cancel it instead"),
        (JobStage.IN_PRODUCTION, JobStage.ESTIMATE, "backward moves stay within"),
        (JobStage.SCHEDULED, JobStage.MATERIALS_ORDERED, "needs a reason"),
        (JobStage.LOST, JobStage.ESTIMATE, "only be reopened as a lead"),
        (JobStage.ESTIMATE, JobStage.ESTIMATE, "already in stage"),
    ],
)
def test_illegal_moves_say_why(current: JobStage, target: JobStage, words: str) -> None:
    reason = refusal(current, target)
    assert reason is not None
    assert words in reason


def test_backward_move_with_reason_is_allowed() -> None:
    assert refusal(JobStage.SCHEDULED, JobStage.MATERIALS_ORDERED, reason="supplier delay") is None


@given(st.sampled_from(list(JobStage)))
def test_allowed_targets_are_exactly_the_unrefused(current: JobStage) -> None:
    targets = allowed_targets(current)
    assert current not in targets
    for target in targets:
        assert refusal(current, target, reason="because") is None


@given(st.integers(0, len(PIPELINE) - 2))
def test_every_next_stage_is_reachable(index: int) -> None:
    assert refusal(PIPELINE[index], PIPELINE[index + 1]) is None
