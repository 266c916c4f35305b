"""Every table, one module each; importing this package registers them all on Base.metadata."""

from roofops.models.audit import AuditLog
from roofops.models.base import Base
from roofops.models.branch import Branch
from roofops.models.company import CompanySettings, PriceListEntry
from roofops.models.crew import Crew, CrewMember, crew_skills
from roofops.models.crm import (
    CrmBranchKey,
    CrmBranchMapping,
    CrmStatusChange,
    CrmStatusMapping,
    CrmWorkflowStatus,
)
from roofops.models.customer import Customer
from roofops.models.enums import (
    AccountingDocStatus,
    ActorType,
    BackgroundJobStatus,
    ConnectionStatus,
    CostCategory,
    FigureSource,
    FinancialSyncStatus,
    JobStage,
    JobType,
    MarginKind,
    Material,
    PayerKind,
    Priority,
    Provider,
    Role,
    SyncKind,
    SyncRunStatus,
)
from roofops.models.financials import (
    AccountingInvoice,
    AccountingPayment,
    AccountingPaymentAllocation,
    CostCategoryMapping,
    CostLine,
    JobFinancials,
    JobFinancialSnapshot,
)
from roofops.models.integration import (
    ExternalRef,
    InboxEvent,
    IntegrationConnection,
    SyncCursor,
    SyncRun,
    SyncRunError,
)
from roofops.models.invoice import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoicePayer,
    InvoiceStatus,
    PushStatus,
)
from roofops.models.job import Job, JobStageEvent
from roofops.models.property import Property
from roofops.models.runtime import BackgroundJob, CronClaim, OutboxEvent, WorkerHeartbeat
from roofops.models.skill import Skill
from roofops.models.user import ApiToken, LoginAttempt, User, UserSession

__all__ = [
    "AccountingDocStatus",
    "AccountingInvoice",
    "AccountingPayment",
    "AccountingPaymentAllocation",
    "ActorType",
    "ApiToken",
    "AuditLog",
    "BackgroundJob",
    "BackgroundJobStatus",
    "Base",
    "Branch",
    "CompanySettings",
    "ConnectionStatus",
    "CostCategory",
    "CostCategoryMapping",
    "CostLine",
    "Crew",
    "CrewMember",
    "CrmBranchKey",
    "CrmBranchMapping",
    "CrmStatusChange",
    "CrmStatusMapping",
    "CrmWorkflowStatus",
    "CronClaim",
    "Customer",
    "ExternalRef",
    "FigureSource",
    "FinancialSyncStatus",
    "InboxEvent",
    "IntegrationConnection",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "InvoicePayer",
    "InvoiceStatus",
    "Job",
    "JobFinancialSnapshot",
    "JobFinancials",
    "JobStage",
    "JobStageEvent",
    "JobType",
    "LoginAttempt",
    "MarginKind",
    "Material",
    "OutboxEvent",
    "PayerKind",
    "PriceListEntry",
    "Priority",
    "Property",
    "Provider",
    "PushStatus",
    "Role",
    "Skill",
    "SyncCursor",
    "SyncKind",
    "SyncRun",
    "SyncRunError",
    "SyncRunStatus",
    "User",
    "UserSession",
    "WorkerHeartbeat",
    "crew_skills",
]
