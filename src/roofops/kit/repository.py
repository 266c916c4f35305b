"""Repository base: every query lives in a repository; services call these, never the ORM."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.exceptions import NotFound
from roofops.kit.paging import Page, PageRequest, SortSpec

ModelT = TypeVar("ModelT")
T = TypeVar("T")

# SQLite allows 32,766 bound parameters, PostgreSQL 65,535: stay far below both.
IN_CHUNK = 900


def in_chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """The distinct values, in a stable order, in slices small enough for one ``IN (...)``."""
    wanted = sorted(set(values), key=str)
    for start in range(0, len(wanted), IN_CHUNK):
        yield wanted[start : start + IN_CHUNK]


def found(entity: T | None, what: str) -> T:
    """The entity, or a 404 naming what was looked for."""
    if entity is None:
        raise NotFound(f"no such {what}")
    return entity


class Repository(Generic[ModelT]):
    model: type[ModelT]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, entity_id: uuid.UUID, *options: Any) -> ModelT | None:
        return self.session.get(self.model, entity_id, options=options)

    def add(self, entity: ModelT) -> ModelT:
        self.session.add(entity)
        self.session.flush()
        return entity

    def delete(self, entity: ModelT) -> None:
        self.session.delete(entity)
        self.session.flush()

    def paginate(
        self, statement: sa.Select[ModelT], request: PageRequest, sort: SortSpec | None
    ) -> Page[ModelT]:
        total = self.session.scalar(
            sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
        )
        # A unique tiebreaker keeps pages stable when the sort column has equal values; it runs
        # the same way as the sort, so that one (column, id) index serves both directions.
        tiebreaker = self.model.id  # type: ignore[attr-defined]
        if sort is not None:
            column = getattr(self.model, sort.field)
            if sort.descending:
                column, tiebreaker = column.desc(), tiebreaker.desc()
            statement = statement.order_by(column)
        statement = statement.order_by(tiebreaker)
        rows = self.session.scalars(statement.offset(request.offset).limit(request.size)).all()
        return Page(items=list(rows), total=total or 0, page=request.page, size=request.size)
