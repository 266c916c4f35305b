"""Queries of the JobNimbus sync: the status map and page-sized batch loads."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from roofops.kit.repository import in_chunks
from roofops.models.branch import Branch
from roofops.models.crm import CrmStatusMapping
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

    def get(self, mapping_id: uuid.UUID) -> CrmStatusMapping | None:
        return self.session.get(CrmStatusMapping, mapping_id)

    def find(self, status_name: str) -> CrmStatusMapping | None:
        return self.session.scalar(
            sa.select(CrmStatusMapping).where(CrmStatusMapping.status_name == status_name)
        )

    def add(self, mapping: CrmStatusMapping) -> CrmStatusMapping:
        self.session.add(mapping)
        self.session.flush()
        return mapping

    def delete(self, mapping: CrmStatusMapping) -> None:
        self.session.delete(mapping)
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

    def branches_by_name(self) -> dict[str, Branch]:
        branches = self.session.scalars(sa.select(Branch))
        return {branch.name.casefold(): branch for branch in branches}

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
