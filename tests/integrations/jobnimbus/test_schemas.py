"""Record models: epoch timestamps, custom fields and status-change activities."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from roofops.integrations.jobnimbus.schemas import Activity, Job, StatusChange

BASE: dict[str, Any] = {"jnid": "j1", "date_created": 1700000000, "date_updated": 1700000500}


def activity(**fields: Any) -> Activity:
    return Activity.model_validate({**BASE, **fields})


def test_epoch_seconds_become_aware_utc() -> None:
    job = Job.model_validate({**BASE, "date_status_change": 0, "number": 1042})

    assert job.date_updated == datetime(2023, 11, 14, 22, 21, 40, tzinfo=UTC)
    assert job.date_status_change is None
    assert job.number == "1042"


@pytest.mark.parametrize("value", ["2023-11-14", True, None, 10**20])
def test_a_date_that_is_not_epoch_seconds_is_rejected(value: object) -> None:
    with pytest.raises(ValidationError):
        Job.model_validate({**BASE, "date_updated": value})


def test_unknown_fields_are_kept_as_extra() -> None:
    job = Job.model_validate({**BASE, "Claim Number": "CLM-1", "cf_double_1": 31.5})
    assert job.extra == {"Claim Number": "CLM-1", "cf_double_1": 31.5}


def test_status_change_from_the_note() -> None:
    change = activity(
        record_type_name="Status Change",
        note="Status changed from Lead to Appointment Scheduled",
        primary={"id": "job9", "type": "job"},
    ).status_change()

    assert change == StatusChange(
        "job9", "Lead", "Appointment Scheduled", datetime.fromtimestamp(1700000000, UTC)
    )


def test_status_names_resolve_a_status_containing_to() -> None:
    note = "Status changed from Ready to Build to Back to Office"
    logged = activity(is_status_change=True, note=note, primary={"id": "j", "new_status": 7})

    change = logged.status_change({7: "Back to Office"})
    guess = logged.status_change()

    assert change is not None
    assert (change.from_status, change.to_status) == ("Ready to Build", "Back to Office")
    assert guess is not None
    assert guess.to_status == "Office"  # why the status names are worth passing


def test_initial_status_has_no_from() -> None:
    logged = activity(is_status_change=True, note="Status set to Lead", primary={"id": "j"})

    change = logged.status_change()

    assert change is not None
    assert (change.from_status, change.to_status) == (None, "Lead")


@pytest.mark.parametrize(
    "fields",
    [
        {"record_type_name": "Note", "note": "Status changed from A to B", "primary": {"id": "j"}},
        {"is_status_change": True, "note": "Status changed from A to B"},
        {"is_status_change": True, "note": "Called the homeowner", "primary": {"id": "j"}},
    ],
)
def test_other_activities_are_not_status_changes(fields: dict[str, Any]) -> None:
    assert activity(**fields).status_change() is None
