"""Paging, filtering and sorting shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from roofops.exceptions import ValidationFailed

T = TypeVar("T")

MAX_PAGE_SIZE = 200
# Far beyond any real list (10 million rows at the largest page size), and far below what
# overflows a database OFFSET: a bigger number is a typo or a probe, answered with 422.
MAX_PAGE = 50_000


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list to read; out-of-range numbers are refused wherever they come from
    (the API's query, a page's lenient parser, a service call)."""

    page: int = 1
    size: int = 50
    sort: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE:
            raise ValidationFailed(f"page must be between 1 and {MAX_PAGE}", field="page")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"size must be between 1 and {MAX_PAGE_SIZE}", field="size")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass(frozen=True)
class SortSpec:
    field: str
    descending: bool


def parse_sort(sort: str | None, allowed: Sequence[str], default: str) -> SortSpec:
    """``-created_at`` sorts descending; only whitelisted fields are accepted."""
    raw = sort or default
    descending = raw.startswith("-")
    field = raw.lstrip("-")
    if field not in allowed:
        raise ValidationFailed(
            f"cannot sort by '{field}'; choose one of: {', '.join(sorted(allowed))}",
            field="sort",
        )
    return SortSpec(field=field, descending=descending)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


class PageOut(BaseModel, Generic[T]):
    """The JSON envelope of every list endpoint."""

    items: list[T]
    total: int = Field(description="rows matching the filters, all pages together")
    page: int
    size: int
    pages: int
