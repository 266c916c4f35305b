"""The fake's list parameters and the subset of JobNimbus's Elasticsearch-style filter it speaks.

``filter`` is a bool query: ``must`` / ``filter`` / ``should`` / ``must_not`` (a clause or a list),
optionally wrapped in ``{"bool": ...}``, with ``range`` (gte/gt/lte/lt on numbers such as epoch
seconds), ``term``, ``terms`` and nested ``bool`` clauses. Field names may be dotted
(``primary.id``); a list along the path matches if any element does. As in Elasticsearch,
``should`` is required only when there is no ``must``/``filter`` (or ``minimum_should_match``
says so).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

DEFAULT_SIZE = 1000
BOOL_KEYS = frozenset({"must", "filter", "should", "must_not", "minimum_should_match"})
RANGE_OPS: dict[str, Callable[[float, float], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}


def match_all(_record: Record) -> bool:
    return True


class FilterError(ValueError):
    """The request's list parameters cannot be understood (the fake answers 400)."""


@dataclass(frozen=True)
class ListQuery:
    size: int = DEFAULT_SIZE
    from_: int = 0
    sort_field: str = "date_created"
    descending: bool = True
    fields: tuple[str, ...] | None = None
    matches: Predicate = match_all

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListQuery:
        direction = params.get("sort_direction", "desc").lower()
        if direction not in ("asc", "desc"):
            raise FilterError("sort_direction must be asc or desc")
        fields = params.get("fields")
        raw_filter = params.get("filter")
        return cls(
            size=_non_negative(params, "size", DEFAULT_SIZE),
            from_=_non_negative(params, "from", 0),
            sort_field=params.get("sort_field") or "date_created",
            descending=direction == "desc",
            fields=tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else None,
            matches=parse_filter(raw_filter) if raw_filter else match_all,
        )


def _non_negative(params: Mapping[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise FilterError(f"{name} must be an integer") from None
    if value < 0:
        raise FilterError(f"{name} must not be negative")
    return value


def parse_filter(text: str) -> Predicate:
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FilterError(f"filter is not valid JSON: {exc.msg}") from None
    return _bool_query(spec)


def _bool_query(spec: Any) -> Predicate:
    if isinstance(spec, dict) and set(spec) == {"bool"}:
        spec = spec["bool"]
    if not isinstance(spec, dict) or not set(spec) <= BOOL_KEYS:
        raise FilterError(f"a bool query takes only {sorted(BOOL_KEYS)}")
    required = [_clause(c) for key in ("must", "filter") for c in _clause_list(spec, key)]
    optional = [_clause(c) for c in _clause_list(spec, "should")]
    excluded = [_clause(c) for c in _clause_list(spec, "must_not")]
    minimum = spec.get("minimum_should_match", 0 if required or not optional else 1)
    if not isinstance(minimum, int):
        raise FilterError("minimum_should_match must be an integer")

    def matches(record: Record) -> bool:
        return (
            all(p(record) for p in required)
            and not any(p(record) for p in excluded)
            and sum(p(record) for p in optional) >= minimum
        )

    return matches


def _clause_list(spec: Mapping[str, Any], key: str) -> list[Any]:
    value = spec.get(key, [])
    return value if isinstance(value, list) else [value]


def _clause(clause: Any) -> Predicate:
    if not isinstance(clause, dict) or len(clause) != 1:
        raise FilterError("each clause is an object with one key: range, term, terms or bool")
    kind, body = next(iter(clause.items()))
    if kind == "bool":
        return _bool_query(body)
    builders = {"range": _range, "term": _term, "terms": _terms}
    if kind not in builders or not isinstance(body, dict) or len(body) != 1:
        raise FilterError(f"unsupported clause {kind!r}")
    field_name, condition = next(iter(body.items()))
    return builders[kind](field_name, condition)


def _range(field_name: str, bounds: Any) -> Predicate:
    if not isinstance(bounds, dict) or not bounds or not set(bounds) <= set(RANGE_OPS):
        raise FilterError("range takes gte, gt, lte and lt")
    if not all(_is_number(limit) for limit in bounds.values()):
        raise FilterError("range bounds must be numbers")
    checks = [(RANGE_OPS[op], limit) for op, limit in bounds.items()]

    def matches(record: Record) -> bool:
        return any(
            _is_number(value) and all(check(value, limit) for check, limit in checks)
            for value in values_at(record, field_name)
        )

    return matches


def _term(field_name: str, condition: Any) -> Predicate:
    if isinstance(condition, dict):  # the long form {"field": {"value": v}}
        condition = condition.get("value")
    return _terms(field_name, [condition])


def _terms(field_name: str, wanted: Any) -> Predicate:
    if not isinstance(wanted, list) or any(isinstance(v, dict | list) for v in wanted):
        raise FilterError("terms takes a list of plain values")

    def matches(record: Record) -> bool:
        return any(
            _same(value, target) for value in values_at(record, field_name) for target in wanted
        )

    return matches


def values_at(record: Record, path: str) -> list[Any]:
    """Every value found along a dotted path, descending into lists."""
    values: list[Any] = [record]
    for part in path.split("."):
        found: list[Any] = []
        for value in values:
            if isinstance(value, Mapping) and part in value:
                found.extend(_flatten(value[part]))
        values = found
    return values


def _flatten(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(value: Any, target: Any) -> bool:
    # True == 1 in Python but not in a JSON query: a boolean only matches a boolean.
    return isinstance(value, bool) == isinstance(target, bool) and value == target
