"""Enumerations stored as strings."""

from __future__ import annotations

from roofops.kit.types import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OFFICE = "office"
    DISPATCHER = "dispatcher"
    FINANCE = "finance"
    CREW_LEAD = "crew_lead"
    VIEWER = "viewer"


class JobStage(StrEnum):
    LEAD = "lead"
    INSPECTION = "inspection"
    ESTIMATE = "estimate"
    CONTRACT_SIGNED = "contract_signed"
    MATERIALS_ORDERED = "materials_ordered"
    SCHEDULED = "scheduled"
    IN_PRODUCTION = "in_production"
    COMPLETED = "completed"
    INVOICED = "invoiced"
    PAID = "paid"
    LOST = "lost"
    CANCELLED = "cancelled"


class JobType(StrEnum):
    REROOF = "reroof"
    REPAIR = "repair"
    INSPECTION = "inspection"
    GUTTERS = "gutters"
    NEW_CONSTRUCTION = "new_construction"


class Material(StrEnum):
    ASPHALT_SHINGLE = "asphalt_shingle"
    METAL = "metal"
    TILE = "tile"
    LOW_SLOPE_TPO = "low_slope_tpo"
    GUTTERS = "gutters"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class PayerKind(StrEnum):
    RETAIL = "retail"
    INSURANCE = "insurance"


class ActorType(StrEnum):
    USER = "user"
    SYSTEM = "system"
    SYNC = "sync"
    API_TOKEN = "api_token"  # noqa: S105 (an actor kind, not a secret)


class BackgroundJobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
