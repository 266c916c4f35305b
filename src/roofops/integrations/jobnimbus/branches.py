"""Which of our branches a JobNimbus job belongs to: the branch map.

A job's JobNimbus *location* is the office it belongs to; its *sales rep* works out of one
branch. The map holds one row per location and per sales rep the sync has seen; a new location
starts mapped to our branch of the same name (or code), a new rep unmapped. The location decides
first, the sales rep when the location is unmapped (or the job has none); when neither is
mapped, the job keeps whatever branch it has in roofops.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from roofops.crew.service import branch_service
from roofops.integrations.jobnimbus.repository import BranchMapRepository
from roofops.integrations.jobnimbus.schemas import Job
from roofops.integrations.jobnimbus.status_map import same_name
from roofops.models.branch import Branch
from roofops.models.crm import CrmBranchKey, CrmBranchMapping

Key = tuple[CrmBranchKey, str]


@dataclass(frozen=True)
class BranchSource:
    kind: CrmBranchKey
    external_id: str
    name: str

    @property
    def key(self) -> Key:
        return self.kind, self.external_id


def branch_sources(job: Job) -> list[BranchSource]:
    """What of this job can say its branch, in order of precedence."""
    sources = []
    location = job.extra.get("location")
    if isinstance(location, dict):
        sources += _source(CrmBranchKey.LOCATION, location.get("id"), location.get("name"))
    sources += _source(CrmBranchKey.SALES_REP, job.sales_rep, job.sales_rep_name)
    return sources


def _source(kind: CrmBranchKey, ident: object, name: object) -> list[BranchSource]:
    label = str(name or "").strip()
    key = str(ident).strip() if ident not in (None, "") else label
    return [BranchSource(kind, key[:64], (label or key)[:200])] if key else []


class BranchChooser:
    def __init__(self, mappings: Mapping[Key, CrmBranchMapping]) -> None:
        self.mappings = mappings

    @classmethod
    def load(cls, db: Session, jobs: Iterable[Job]) -> BranchChooser:
        """The map, with a row for every location and rep of these jobs seen for the first
        time (and their names as JobNimbus spells them now)."""
        repository = BranchMapRepository(db)
        known = {(row.kind, row.external_id): row for row in repository.all()}
        seen = {source.key: source for job in jobs for source in branch_sources(job)}
        branches = branch_service.list(db)
        for key, source in seen.items():
            row = known.get(key)
            if row is None:
                known[key] = row = _first_sight(source, branches)
                repository.add(row)
            row.name = source.name
        return cls(known)

    def branch_for(self, job: Job) -> uuid.UUID | None:
        for source in branch_sources(job):
            row = self.mappings.get(source.key)
            if row is not None and row.branch_id is not None:
                return row.branch_id
        return None


def _first_sight(source: BranchSource, branches: Sequence[Branch]) -> CrmBranchMapping:
    return CrmBranchMapping(
        id=uuid.uuid4(),
        kind=source.kind,
        external_id=source.external_id,
        name=source.name,
        branch_id=default_branch(source, branches),
    )


def default_branch(source: BranchSource, branches: Sequence[Branch]) -> uuid.UUID | None:
    """A location named like one of our branches (or its code) is that branch; a person's
    name says nothing about a branch."""
    if source.kind != CrmBranchKey.LOCATION:
        return None
    for branch in branches:
        if same_name(branch.name, source.name) or same_name(branch.code, source.name):
            return branch.id
    return None
