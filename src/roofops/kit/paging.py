"""Paging, filtering and sorting shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from roofops.exceptions import ValidationFailed

T = TypeVar("T")

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    size: int = 50
    sort: str | None = None

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
