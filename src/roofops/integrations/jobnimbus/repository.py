"""Queries of the JobNimbus sync and its maps: the status map, the account's workflows, the
status-change log, the branch map, and page-sized batch loads."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from roofops.kit.repository import in_chunks
from roofops.models.crm import (
    CrmBranchMapping,
    CrmStatusChange,
    CrmStatusMapping,
    CrmWorkflowStatus,
)
from roofops.models.customer import Customer
from roofops.models.job import Job, JobStageEvent
from roofops.models.property import Property

RowT = TypeVar("RowT")


class StatusMappingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[CrmStatusMapping]:
        return list(
            self.session.scalars(sa.select(CrmStatusMapping).order_by(CrmStatusMapping.status_name))
        )

    def add(self, mapping: CrmStatusMapping) -> CrmStatusMapping:
        self.session.add(mapping)
        self.session.flush()
        return mapping

    def delete(self, mapping: CrmStatusMapping) -> None:
        self.session.delete(mapping)
        self.session.flush()


class WorkflowRepository:
    """The account's job workflows and their statuses, as the last sync read them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[CrmWorkflowStatus]:
        return list(
            self.session.scalars(
                sa.select(CrmWorkflowStatus).order_by(
                    CrmWorkflowStatus.workflow_order,
                    CrmWorkflowStatus.workflow_id,
                    CrmWorkflowStatus.status_order,
                    CrmWorkflowStatus.status_id,
                )
            )
        )

    def replace(self, statuses: Sequence[CrmWorkflowStatus]) -> None:
        """Keeps the rows in step with ``statuses``, writing only what differs."""
        kept = {(row.workflow_id, row.status_id): row for row in self.all()}
        for status in statuses:
            row = kept.pop((status.workflow_id, status.status_id), None)
            if row is None:
                self.session.add(status)
            else:
                for column in WORKFLOW_FACTS:
                    if getattr(row, column) != getattr(status, column):
                        setattr(row, column, getattr(status, column))
        for gone in kept.values():
            self.session.delete(gone)
        self.session.flush()


WORKFLOW_FACTS = ("workflow_name", "workflow_order", "status_name", "status_order", "is_closed")


class StatusLogRepository:
    """The CRM's job status changes, by the CRM's job and activity ids."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_jobs(self, job_jnids: Iterable[str]) -> dict[str, list[CrmStatusChange]]:
        found: dict[str, list[CrmStatusChange]] = defaultdict(list)
        for chunk in in_chunks(job_jnids):
            statement = (
                sa.select(CrmStatusChange)
                .where(CrmStatusChange.job_external_id.in_(chunk))
                .order_by(CrmStatusChange.occurred_at)
            )
            for row in self.session.scalars(statement):
                found[row.job_external_id].append(row)
        return found

    def logged(self, activity_jnids: Iterable[str]) -> set[str]:
        """Those of the activities already in the log."""
        logged: set[str] = set()
        for chunk in in_chunks(activity_jnids):
            column = CrmStatusChange.activity_external_id
            logged.update(self.session.scalars(sa.select(column).where(column.in_(chunk))))
        return logged

    def add(self, entry: CrmStatusChange) -> None:
        self.session.add(entry)

    def entries_by_status(self) -> dict[str, int]:
        """How many log entries moved a job to each status."""
        column = CrmStatusChange.to_status
        rows = self.session.execute(sa.select(column, sa.func.count()).group_by(column))
        return {status: int(count) for status, count in rows}


class UnmappedJobRepository:
    """Jobs the sync took with a CRM status the status map does not know."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def counts(self) -> dict[str, int]:
        column = Job.unmapped_crm_status
        statement = sa.select(column, sa.func.count()).where(column != "").group_by(column)
        return {status: int(count) for status, count in self.session.execute(statement)}

    def examples(self, status: str, limit: int) -> list[Job]:
        return list(
            self.session.scalars(
                sa.select(Job)
                .where(Job.unmapped_crm_status == status)
                .order_by(Job.number)
                .limit(limit)
            )
        )


class BranchMapRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[CrmBranchMapping]:
        return list(
            self.session.scalars(
                sa.select(CrmBranchMapping).order_by(CrmBranchMapping.kind, CrmBranchMapping.name)
            )
        )

    def add(self, mapping: CrmBranchMapping) -> None:
        self.session.add(mapping)
        self.session.flush()


class SyncTargetRepository:
    """Loads what one page of records touches, a few queries per page instead of per record."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def customers(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Customer]:
        return {row.id: row for row in self._in(Customer, Customer.id, ids)}

    def jobs(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Job]:
        return {row.id: row for row in self._in(Job, Job.id, ids)}

    def jobs_by_number(self, numbers: Iterable[str]) -> dict[str, Job]:
        return {row.number: row for row in self._in(Job, Job.number, numbers)}

    def properties_of(self, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Property]]:
        found: dict[uuid.UUID, list[Property]] = defaultdict(list)
        for row in self._in(Property, Property.customer_id, customer_ids):
            found[row.customer_id].append(row)
        return found

    def stage_events_of(self, job_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[JobStageEvent]]:
        found: dict[uuid.UUID, list[JobStageEvent]] = defaultdict(list)
        for row in self._in(JobStageEvent, JobStageEvent.job_id, job_ids):
            found[row.job_id].append(row)
        return found

    def add(self, row: object) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def _in(
        self, model: type[RowT], column: QueryableAttribute[Any], values: Iterable[Any]
    ) -> list[RowT]:
        rows: list[RowT] = []
        for chunk in in_chunks(values):
            rows.extend(self.session.scalars(sa.select(model).where(column.in_(chunk))))
        return rows
