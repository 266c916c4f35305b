"""Request and response bodies of the JobNimbus endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from roofops.kit.schemas import OrmModel
from roofops.models.enums import ConnectionStatus, JobStage


class ConnectionOut(OrmModel):
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
