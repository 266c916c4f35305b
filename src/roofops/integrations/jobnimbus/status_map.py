"""JobNimbus workflow statuses -> our job stages: the editable default and the stock workflows.

JobNimbus accounts define their own workflows (``record_type_name``) and statuses
(``status_name``); the ones below are a realistic roofing setup, used by the fake and seeded as
the default mapping. A status missing from the mapping is *unknown*: the sync reports it and
keeps the job at its last known stage rather than guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from roofops.models.enums import JobStage


@dataclass(frozen=True)
class StockWorkflow:
    id: int
    name: str
    statuses: tuple[str, ...]


# Several statuses may share a stage (a workflow is usually finer-grained than our lifecycle).
DEFAULT_STATUS_MAP: Mapping[str, JobStage] = MappingProxyType(
    {
        "Lead": JobStage.LEAD,
        "Appointment Scheduled": JobStage.INSPECTION,
        "Site Visit Scheduled": JobStage.INSPECTION,
        "Inspection Complete": JobStage.INSPECTION,
        "Estimate Sent": JobStage.ESTIMATE,
        "Bid Submitted": JobStage.ESTIMATE,
        "Claim Filed": JobStage.ESTIMATE,
        "Adjuster Meeting": JobStage.ESTIMATE,
        "Signed Contract": JobStage.CONTRACT_SIGNED,
        "Approved": JobStage.CONTRACT_SIGNED,
        "Materials Ordered": JobStage.MATERIALS_ORDERED,
        "Job Scheduled": JobStage.SCHEDULED,
        "In Progress": JobStage.IN_PRODUCTION,
        "Job Completed": JobStage.COMPLETED,
        "Invoiced": JobStage.INVOICED,
        "Depreciation Pending": JobStage.INVOICED,
        "Paid & Closed": JobStage.PAID,
        "Lost": JobStage.LOST,
        "Cancelled": JobStage.CANCELLED,
    }
)

_PRODUCTION = ("Materials Ordered", "Job Scheduled", "In Progress", "Job Completed", "Invoiced")
_CLOSED = ("Paid & Closed", "Lost", "Cancelled")

# Job workflows in the order JobNimbus lists them; statuses in board order.
STOCK_WORKFLOWS: tuple[StockWorkflow, ...] = (
    StockWorkflow(
        1,
        "Residential",
        (
            "Lead",
            "Appointment Scheduled",
            "Inspection Complete",
            "Estimate Sent",
            "Signed Contract",
            *_PRODUCTION,
            *_CLOSED,
        ),
    ),
    StockWorkflow(
        2,
        "Insurance",
        (
            "Lead",
            "Appointment Scheduled",
            "Inspection Complete",
            "Claim Filed",
            "Adjuster Meeting",
            "Signed Contract",
            *_PRODUCTION,
            "Depreciation Pending",
            *_CLOSED,
        ),
    ),
    StockWorkflow(
        3,
        "Commercial",
        (
            "Lead",
            "Site Visit Scheduled",
            "Bid Submitted",
            "Signed Contract",
            *_PRODUCTION,
            *_CLOSED,
        ),
    ),
    StockWorkflow(
        4,
        "Repair",
        ("Lead", "Appointment Scheduled", "Estimate Sent", "Approved", *_PRODUCTION, *_CLOSED),
    ),
)

# Statuses that end a job: JobNimbus flags them ``is_closed`` in account settings.
CLOSED_STATUSES = frozenset(_CLOSED)


def stage_lookup(mapping: Mapping[str, JobStage]) -> Callable[[str], JobStage | None]:
    """The stage a status means by this map, matching names as people type them (case and
    spacing vary); built once for a sync that asks it tens of thousands of times."""
    by_name = {normal_name(name): stage for name, stage in mapping.items()}
    return lambda status_name: by_name.get(normal_name(status_name))


def same_name(first: str, second: str) -> bool:
    """Names as people type them: case and spacing vary."""
    return normal_name(first) == normal_name(second)


def normal_name(name: str) -> str:
    """A name as a key: case and spacing ignored."""
    return " ".join(name.split()).casefold()
