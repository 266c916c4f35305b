"""Query parameters and the response envelope shared by every JSON list endpoint."""

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from roofops.kit.paging import MAX_PAGE, MAX_PAGE_SIZE, Page, PageOut, PageRequest

# No ``from __future__ import annotations`` here: sorted_paging's parameter annotation is built
# at run time from the route's sortable fields, and FastAPI reads it from the function.

SchemaT = TypeVar("SchemaT", bound=BaseModel)
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page")]


def page_request(page: PageNumber = 1, size: PageSize = 50) -> PageRequest:
    return PageRequest(page=page, size=size)


# A list without a choice of order.
Paging = Annotated[PageRequest, Depends(page_request)]


def sorted_paging(fields: Sequence[str]) -> Callable[..., PageRequest]:
    """Paging whose ``sort`` is one of ``fields``, ascending, or descending with a ``-``: an
    enum in the OpenAPI document, checked by FastAPI like any other parameter."""
    choices: Any = Literal[tuple(f"{sign}{field}" for field in fields for sign in ("", "-"))]

    def sorted_page_request(
        page: PageNumber = 1,
        size: PageSize = 50,
        sort: Annotated[
            choices | None,
            Query(description="a sortable field; prefix with '-' for descending"),
        ] = None,
    ) -> PageRequest:
        return PageRequest(page=page, size=size, sort=sort)

    return sorted_page_request


def page_out(page: Page[Any], schema: type[SchemaT]) -> PageOut[SchemaT]:
    return PageOut[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(item) for item in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
        pages=page.pages,
    )
