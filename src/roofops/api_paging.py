"""Query parameters and the response envelope shared by every JSON list endpoint."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from roofops.kit.paging import MAX_PAGE_SIZE, Page, PageOut, PageRequest

SchemaT = TypeVar("SchemaT", bound=BaseModel)


def page_request(
    page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page")] = 50,
    sort: Annotated[
        str | None, Query(description="a sortable field; prefix with '-' for descending")
    ] = None,
) -> PageRequest:
    return PageRequest(page=page, size=size, sort=sort)


Paging = Annotated[PageRequest, Depends(page_request)]


def page_out(page: Page[Any], schema: type[SchemaT]) -> PageOut[SchemaT]:
    return PageOut[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(item) for item in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
        pages=page.pages,
    )
