"""The rules that turn a job's status log into stage history (pure: no database, no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from roofops.integrations.jobnimbus.history import LogEntry, StageChange, derive_history
from roofops.models.enums import JobStage
from tests.integrations.jobnimbus.syncing import stage_for

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def log(*statuses: str) -> list[LogEntry]:
    """One status an hour, each changed from the one before."""
    previous: list[str | None] = [None, *statuses[:-1]]
    return [
        LogEntry(status, before, at(hour))
        for hour, (status, before) in enumerate(zip(statuses, previous, strict=True))
    ]


def stages(changes: tuple[StageChange, ...]) -> list[tuple[str | None, str, int]]:
    return [
        (
            c.from_stage and c.from_stage.value,
            c.to_stage.value,
            (c.occurred_at - T0).seconds // 3600,
        )
        for c in changes
    ]


def test_consecutive_statuses_of_one_stage_begin_it_once() -> None:
    entries = log("Lead", "Appointment Scheduled", "Inspection Complete", "Estimate Sent")

    history = derive_history(entries, stage_for, created_at=T0)

    assert stages(history.changes) == [
        (None, "lead", 0),
        ("lead", "inspection", 1),
        ("inspection", "estimate", 3),
    ]
    assert (history.stage, history.since, history.unmapped_status) == (
        JobStage.ESTIMATE,
        at(3),
        "",
    )


def test_the_order_entries_arrive_in_does_not_matter() -> None:
    entries = log("Lead", "Appointment Scheduled", "Inspection Complete")

    history = derive_history(entries[::-1], stage_for, created_at=T0)

    assert history.since == at(1)


def test_an_unmapped_status_moves_nothing_and_flags_the_job_while_it_is_current() -> None:
    entries = log("Lead", "Appointment Scheduled", "Roof Loaded")

    history = derive_history(entries, stage_for, created_at=T0)

    assert (history.stage, history.since, history.unmapped_status) == (
        JobStage.INSPECTION,
        at(1),
        "Roof Loaded",
    )


def test_a_job_with_no_mapped_status_is_at_the_first_stage_since_it_was_created() -> None:
    history = derive_history(log("Roof Loaded"), stage_for, created_at=at(-2))

    assert stages(history.changes)[0][:2] == (None, "lead")
    assert history.since == at(-2)
    assert history.unmapped_status == "Roof Loaded"


def test_the_oldest_entry_we_hold_keeps_the_stage_it_came_from() -> None:
    older_entries_missing = [LogEntry("Signed Contract", "Estimate Sent", at(5))]

    history = derive_history(older_entries_missing, stage_for, created_at=T0)

    assert stages(history.changes) == [("estimate", "contract_signed", 5)]


def test_in_one_second_a_jobs_first_status_comes_before_its_first_move() -> None:
    same_second = [
        LogEntry("Appointment Scheduled", "Lead", T0),
        LogEntry("Lead", None, T0),
    ]

    history = derive_history(same_second, stage_for, created_at=T0)

    assert history.stage == JobStage.INSPECTION
