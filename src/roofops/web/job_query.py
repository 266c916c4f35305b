"""The jobs list's query string: lenient parsing, filters for the service, and links back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from roofops.job.service import JOB_SORTS, JobFilters
from roofops.kit.paging import MAX_PAGE, PageRequest
from roofops.models.enums import JobStage, JobType, Material
from roofops.web.list_links import ListLinks

PAGE_SIZE = 25
DEFAULT_SORT = "-stage_changed_at"
E = TypeVar("E", bound=Enum)


def enum_or_none(kind: type[E], raw: str | None) -> E | None:
    try:
        return kind(raw) if raw else None
    except ValueError:
        return None


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def page_number(raw: str | None) -> int:
    """The page asked for: 1 when absent or not a number; a number too long to be any page
    becomes one past the last allowed so that PageRequest refuses it (422) rather than int()
    spending time on it or a Unicode digit such as "²" raising."""
    if not raw or not (raw.isascii() and raw.isdigit()):
        return 1
    return int(raw) if len(raw) <= 9 else MAX_PAGE + 1


def _sort(raw: str | None) -> str:
    return raw if raw and raw.lstrip("-") in JOB_SORTS else DEFAULT_SORT


@dataclass(frozen=True)
class JobListQuery(ListLinks):
    """A bookmarkable search: a stale or hand-edited URL shows results, not an error page."""

    q: str = ""
    stages: tuple[JobStage, ...] = ()
    job_type: JobType | None = None
    material: Material | None = None
    branch_id: uuid.UUID | None = None
    sales_rep: str = ""
    open_only: bool = False
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_params(cls, params: QueryParams) -> JobListQuery:
        stages = (enum_or_none(JobStage, raw) for raw in params.getlist("stage"))
        return cls(
            q=params.get("q", "").strip()[:100],
            stages=tuple(dict.fromkeys(stage for stage in stages if stage is not None)),
            job_type=enum_or_none(JobType, params.get("job_type")),
            material=enum_or_none(Material, params.get("material")),
            branch_id=_uuid(params.get("branch")),
            sales_rep=params.get("sales_rep", "").strip(),
            open_only=params.get("open") == "1",
            sort=_sort(params.get("sort")),
            page=page_number(params.get("page")),
        )

    def filters(self) -> JobFilters:
        return JobFilters(
            q=self.q or None,
            stages=self.stages,
            job_type=self.job_type,
            material=self.material,
            branch_id=self.branch_id,
            sales_rep=self.sales_rep or None,
            open_only=self.open_only,
        )

    def page_request(self) -> PageRequest:
        return PageRequest(page=self.page, size=PAGE_SIZE, sort=self.sort)

    @property
    def is_filtered(self) -> bool:
        return self.filters() != JobFilters()

    def params(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q), *(("stage", stage.value) for stage in self.stages)]
        pairs += [
            ("job_type", self.job_type.value if self.job_type else ""),
            ("material", self.material.value if self.material else ""),
            ("branch", str(self.branch_id) if self.branch_id else ""),
            ("sales_rep", self.sales_rep),
            ("open", "1" if self.open_only else ""),
            ("sort", "" if self.sort == DEFAULT_SORT else self.sort),
            ("page", "" if self.page == 1 else str(self.page)),
        ]
        return [(key, value) for key, value in pairs if value]

    def url(self) -> str:
        query = urlencode(self.params())
        return f"/jobs?{query}" if query else "/jobs"
