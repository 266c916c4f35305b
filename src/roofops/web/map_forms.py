"""Form bodies of the JobNimbus status and branch maps: one row per status (or location, or
sales rep), posted as repeated fields in row order and read back as the service's choices."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from roofops.exceptions import ValidationFailed
from roofops.integrations.jobnimbus.service import BranchChoice
from roofops.models.crm import CrmBranchKey
from roofops.models.enums import JobStage


class StatusChoicesForm(BaseModel):
    status_name: list[str] = []
    stage: list[str] = []  # "" leaves the status out of the map

    def choices(self) -> list[tuple[str, JobStage | None]]:
        _same_length(self.status_name, self.stage)
        return [
            (name, _stage(name, stage))
            for name, stage in zip(self.status_name, self.stage, strict=True)
        ]


class BranchChoicesForm(BaseModel):
    source: list[str] = []  # "<kind>:<JobNimbus id>"
    branch_id: list[str] = []  # "" leaves the jobs' branch alone

    def choices(self) -> list[BranchChoice]:
        _same_length(self.source, self.branch_id)
        return [_branch_choice(s, b) for s, b in zip(self.source, self.branch_id, strict=True)]


def _same_length(names: list[str], values: list[str]) -> None:
    if len(names) != len(values) or not names:
        raise ValidationFailed("the form is incomplete: reload the page and choose again")


def _stage(status_name: str, value: str) -> JobStage | None:
    if not value:
        return None
    try:
        return JobStage(value)
    except ValueError:
        raise ValidationFailed(f"choose the stage '{status_name}' means", field="stage") from None


def _branch_choice(source: str, branch_id: str) -> BranchChoice:
    kind, _, external_id = source.partition(":")
    try:
        branch = uuid.UUID(branch_id) if branch_id else None
        return BranchChoice(CrmBranchKey(kind), external_id, branch)
    except ValueError:
        raise ValidationFailed("choose one of the branches listed", field="branch_id") from None
