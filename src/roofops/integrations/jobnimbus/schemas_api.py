"""Request and response bodies of the JobNimbus endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from roofops.crew.schemas import BranchRef
from roofops.integrations.core.schemas import SyncRunOut
from roofops.kit.schemas import OrmModel
from roofops.models.crm import CrmBranchKey
from roofops.models.enums import ConnectionStatus, JobStage


class JobNimbusConnectionOut(OrmModel):
    status: ConnectionStatus
    origin: str = Field(description="ui, env, demo, or empty when no key is configured")
    base_url: str
    key_hint: str = Field(description="last 4 characters of the key; the key is never returned")
    scheduled: bool
    every_minutes: int
    last_error: str
    last_success_at: datetime | None


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: str = Field(min_length=8, max_length=200)
    base_url: str | None = Field(default=None, max_length=300)


class StatusMappingOut(OrmModel):
    status_name: str
    stage: JobStage


class StatusMappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status_name: str = Field(min_length=1, max_length=120)
    stage: JobStage | None = Field(description="null removes the status from the map")


class StatusMapSaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mappings: list[StatusMappingIn] = Field(min_length=1, max_length=1000)


class WorkflowStatusOut(OrmModel):
    status_name: str
    stage: JobStage | None = Field(description="null: not mapped")
    is_closed: bool
    chosen_in: str = Field(
        description="the earlier workflow whose status of the same name sets this stage, or "
        "empty (the map is by status name, across workflows)"
    )


class WorkflowOut(OrmModel):
    name: str
    statuses: list[WorkflowStatusOut]


class UnmappedStatusOut(OrmModel):
    status_name: str
    jobs: int = Field(description="synced jobs now in this status, at their last known stage")
    history_entries: int = Field(description="status changes to it in the jobs' history")
    in_workflows: bool


class StatusesOut(OrmModel):
    workflows: list[WorkflowOut] = Field(description="as the last sync read them")
    unmapped: list[UnmappedStatusOut]
    other_mappings: list[StatusMappingOut] = Field(
        description="mapped names in none of the account's workflows"
    )


class ResyncOut(BaseModel):
    run: SyncRunOut | None = Field(description="the full resync queued, or null")
    resync_refused: str = Field(description="why no resync was queued (the map is saved)")


class StatusMapSaveOut(ResyncOut):
    mappings: list[StatusMappingOut]


class BranchMappingOut(OrmModel):
    kind: CrmBranchKey
    external_id: str = Field(description="the JobNimbus location id or sales rep id")
    name: str
    branch_id: uuid.UUID | None


class BranchMapOut(OrmModel):
    mappings: list[BranchMappingOut]
    branches: list[BranchRef] = Field(description="the branches a mapping can point at")


class BranchMappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: CrmBranchKey
    external_id: str = Field(min_length=1, max_length=64)
    branch_id: uuid.UUID | None = Field(description="null: leave the jobs' branch alone")


class BranchMapSaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mappings: list[BranchMappingIn] = Field(min_length=1, max_length=1000)


class BranchMapSaveOut(ResyncOut):
    mappings: list[BranchMappingOut]
