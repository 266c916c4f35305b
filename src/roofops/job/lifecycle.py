"""The job lifecycle as rules: which stage moves are legal, and why a move is refused.

lead -> inspection -> estimate -> contract_signed -> materials_ordered -> scheduled ->
in_production -> completed -> invoiced -> paid; lost before a contract, cancelled before completion.
"""

from __future__ import annotations

import functools

from roofops.models.enums import JobStage

PIPELINE: tuple[JobStage, ...] = (
    JobStage.LEAD,
    JobStage.INSPECTION,
    JobStage.ESTIMATE,
    JobStage.CONTRACT_SIGNED,
    JobStage.MATERIALS_ORDERED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
    JobStage.COMPLETED,
    JobStage.INVOICED,
    JobStage.PAID,
)
SALES = frozenset({JobStage.LEAD, JobStage.INSPECTION, JobStage.ESTIMATE})
PRODUCTION = frozenset(
    {
        JobStage.CONTRACT_SIGNED,
        JobStage.MATERIALS_ORDERED,
        JobStage.SCHEDULED,
        JobStage.IN_PRODUCTION,
    }
)
CLOSEOUT = frozenset({JobStage.COMPLETED, JobStage.INVOICED, JobStage.PAID})
CLOSED = frozenset({JobStage.PAID, JobStage.LOST, JobStage.CANCELLED})
OPEN = frozenset(PIPELINE) - CLOSED

LABELS: dict[JobStage, str] = {
    JobStage.LEAD: "Lead",
    JobStage.INSPECTION: "Inspection",
    JobStage.ESTIMATE: "Estimate",
    JobStage.CONTRACT_SIGNED: "Contract signed",
    JobStage.MATERIALS_ORDERED: "Materials ordered",
    JobStage.SCHEDULED: "Scheduled",
    JobStage.IN_PRODUCTION: "In production",
    JobStage.COMPLETED: "Completed",
    JobStage.INVOICED: "Invoiced",
    JobStage.PAID: "Paid",
    JobStage.LOST: "Lost",
    JobStage.CANCELLED: "Cancelled",
}


def _phase(stage: JobStage) -> frozenset[JobStage]:
    for phase in (SALES, PRODUCTION, CLOSEOUT):
        if stage in phase:
            return phase
    return frozenset()


def refusal(current: JobStage, target: JobStage, *, reason: str = "") -> str | None:
    """Why ``current -> target`` is not allowed, or None when it is.

    Forward moves may skip stages (a repair sold on the spot skips inspection and estimate),
    but never past a milestone: production needs a signed contract and billing needs a
    completed job. Backward moves stay inside their phase and need a reason.
    """
    if current == target:
        return f"the job is already in stage '{LABELS[target]}'"
    if current in (JobStage.PAID, JobStage.LOST, JobStage.CANCELLED):
        return _refusal_from_closed(current, target, reason)
    if target == JobStage.LOST:
        return (
            None
            if current in SALES
            else "only a job without a signed contract can be lost; cancel it instead"
        )
    if target == JobStage.CANCELLED:
        return None if current not in CLOSEOUT else "a completed job cannot be cancelled"
    return _refusal_in_pipeline(current, target, reason)


def _refusal_from_closed(current: JobStage, target: JobStage, reason: str) -> str | None:
    if current == JobStage.PAID:
        return "a paid job is closed; nothing can move it"
    if target != JobStage.LEAD:
        return f"a {LABELS[current].lower()} job can only be reopened as a lead"
    return None if reason.strip() else "reopening a job needs a reason"


def _refusal_in_pipeline(current: JobStage, target: JobStage, reason: str) -> str | None:
    here, there = PIPELINE.index(current), PIPELINE.index(target)
    if there < here:
        if _phase(target) != _phase(current):
            return (
                f"cannot move back from '{LABELS[current]}' to '{LABELS[target]}': "
                "backward moves stay within sales, production or close-out"
            )
        return None if reason.strip() else "moving a job back needs a reason"
    milestone = _milestone_skipped(here, there)
    if milestone is not None:
        return (
            f"cannot move from '{LABELS[current]}' to '{LABELS[target]}' "
            f"without passing '{LABELS[milestone]}'"
        )
    return None


def _milestone_skipped(here: int, there: int) -> JobStage | None:
    for milestone in (JobStage.CONTRACT_SIGNED, JobStage.COMPLETED):
        index = PIPELINE.index(milestone)
        if here < index < there:
            return milestone
    return None


@functools.cache  # the rules are fixed: every job list asks this for each of its rows
def allowed_targets(current: JobStage) -> tuple[JobStage, ...]:
    """Stages a user may pick next (a reason may still be required for some)."""
    candidates = [*PIPELINE, JobStage.LOST, JobStage.CANCELLED]
    return tuple(stage for stage in candidates if refusal(current, stage, reason="x") is None)
