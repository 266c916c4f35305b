"""Query and CDC answers of the fake (spec digest sections 1.4 and 1.7)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from roofops.sandbox.quickbooks import errors
from roofops.sandbox.quickbooks.query import MAX_RESULTS, Query, page, parse_query, select
from roofops.sandbox.quickbooks.store import ENTITIES, Books, Entity, parse_time

CDC_LOOKBACK = timedelta(days=30)
CDC_LIMIT = 1000
CdcScope = Literal["response", "entity"]
_CACHE_SIZE = 64


class QueryEngine:
    """Runs statements against one fake's books.

    The filtered, sorted list of a statement is cached per books version, so paging through
    30,000 rows costs one sort, not one per page.
    """

    def __init__(self, max_results: int = MAX_RESULTS) -> None:
        self.max_results = max_results  # the page cap, whatever MAXRESULTS asks
        # False plays a lesser imitation of QuickBooks that refuses COUNT(*).
        self.answers_counts = True
        self._selected: dict[tuple[int, int, Any], list[Entity]] = {}
        self._lock = threading.Lock()

    def answer(self, books: Books, text: str) -> dict[str, Any]:
        """The ``QueryResponse`` object: rows and paging, ``totalCount``, or ``{}`` when empty."""
        query = parse_query(text, self.max_results)
        if query.count and not self.answers_counts:
            raise errors.query_error("COUNT(*) is not supported")
        rows = self._select(books, query)
        if query.count:
            return {"totalCount": len(rows)}
        found = page(rows, query)
        if not found:
            return {}
        return {query.entity: found, "startPosition": query.start, "maxResults": len(found)}

    def _select(self, books: Books, query: Query) -> list[Entity]:
        key = (books.serial, books.version, query.filter_key)
        with self._lock:
            cached = self._selected.get(key)
        if cached is not None:
            return cached
        rows = select(books.rows(query.entity), query)
        with self._lock:
            if len(self._selected) >= _CACHE_SIZE:
                self._selected.clear()
            self._selected[key] = rows
        return rows


def cdc_answer(
    books: Books,
    entities: Sequence[str],
    changed_since: str,
    *,
    limit: int = CDC_LIMIT,
    scope: CdcScope = "response",
) -> list[dict[str, Any]]:
    """One ``QueryResponse`` per entity asked for: changed rows and deletion stubs, oldest first.

    At most ``limit`` objects come back, shared by all entities (``scope="response"``, as the
    spec reads) or each on its own (``"entity"``); the oldest changes are the ones kept.
    """
    since = _since(changed_since, books.clock())
    unknown = [name for name in entities if name not in ENTITIES]
    if unknown or not entities:
        raise errors.query_error(f"CDC cannot return {', '.join(unknown) or 'nothing'}")
    changed = {name: _changes(books, name, since) for name in entities}
    kept = _capped(changed, limit, scope)
    return [_cdc_part(name, kept[name]) for name in entities]


def _since(text: str, now: datetime) -> datetime:
    try:
        since = parse_time(text)
    except ValueError as exc:
        raise errors.query_error(f"changedSince {text!r} is not a date-time") from exc
    if since < now - CDC_LOOKBACK:
        raise errors.FakeFault(
            "4000", "Invalid changedSince", "changedSince must be within the last 30 days"
        )
    return since


def _changes(books: Books, entity: str, since: datetime) -> list[tuple[datetime, Entity]]:
    with books.lock:
        live = [
            (books.updated_at(entity, row["Id"]), row)
            for row in books.rows(entity)
            if books.updated_at(entity, row["Id"]) > since
        ]
        gone = [
            (moment, _deleted_stub(entity_id, moment, books))
            for entity_id, moment in books.deleted(entity).items()
            if moment > since
        ]
    return sorted(live + gone, key=lambda pair: (pair[0], int(pair[1]["Id"])))


def _deleted_stub(entity_id: str, moment: datetime, books: Books) -> Entity:
    stamp = moment.astimezone(books.zone).isoformat(timespec="seconds")
    return {
        "Id": entity_id,
        "status": "Deleted",
        "domain": "QBO",
        "MetaData": {"LastUpdatedTime": stamp},
    }


def _capped(
    changed: dict[str, list[tuple[datetime, Entity]]], limit: int, scope: CdcScope
) -> dict[str, list[Entity]]:
    if scope == "entity":
        return {name: [row for _, row in pairs[:limit]] for name, pairs in changed.items()}
    merged = sorted(
        ((moment, name, row) for name, pairs in changed.items() for moment, row in pairs),
        key=lambda triple: (triple[0], triple[1], int(triple[2]["Id"])),
    )
    kept: dict[str, list[Entity]] = {name: [] for name in changed}
    for _, name, row in merged[:limit]:
        kept[name].append(row)
    return kept


def _cdc_part(entity: str, rows: list[Entity]) -> dict[str, Any]:
    if not rows:
        return {}
    return {entity: rows, "startPosition": 1, "maxResults": len(rows), "totalCount": len(rows)}
