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
    CUSTOMER = "customer"  # a homeowner, through the customer portal


class BackgroundJobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Provider(StrEnum):
    """An outside system roofops syncs with; also the ``source`` of an ExternalRef."""

    JOBNIMBUS = "jobnimbus"
    QUICKBOOKS = "quickbooks"
    XERO = "xero"

    @property
    def label(self) -> str:
        """The vendor's name as the vendor spells it, for anything a person reads."""
        return VENDOR_NAMES[self.value]


# Keyed by value so that FigureSource and the web's humanize spell them the same way.
VENDOR_NAMES = {"jobnimbus": "JobNimbus", "quickbooks": "QuickBooks", "xero": "Xero"}


class ConnectionStatus(StrEnum):
    NOT_CONFIGURED = "not_configured"
    CONNECTED = "connected"
    FAILED = "failed"  # the vendor refused our credentials: someone has to act
    DISCONNECTED = "disconnected"


class SyncKind(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"
    TARGETED = "targeted"  # one job, or what a webhook named


class SyncRunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # finished, but some records were rejected (see the run's errors)
    FAILED = "failed"


class FigureSource(StrEnum):
    """Where a job's money figure came from; MANUAL wins over any sync until cleared."""

    PLACEHOLDER = "placeholder"  # estimated from squares x the price list, or not known yet
    JOBNIMBUS = "jobnimbus"  # the CRM's job amount (a contract amount only)
    QUICKBOOKS = "quickbooks"
    XERO = "xero"
    MANUAL = "manual"


class MarginKind(StrEnum):
    """Which margin a job has: see roofops.financials.figures for the definitions."""

    NONE = "none"  # not sold (lead to estimate) or lost/cancelled
    PROJECTED = "projected"  # sold and not final: costs to date plus the estimated remainder
    ACTUAL = "actual"  # paid, or invoiced for 30 days, with its costs in the books


class CostCategory(StrEnum):
    MATERIALS = "materials"
    LABOR = "labor"
    SUBCONTRACTOR = "subcontractor"
    PERMITS = "permits"
    DISPOSAL = "disposal"
    EQUIPMENT = "equipment"
    OTHER = "other"


class FinancialSyncStatus(StrEnum):
    NEVER = "never"
    OK = "ok"
    ERROR = "error"


class AccountingDocStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    VOIDED = "voided"
    DELETED = "deleted"
