"""The subset of the QuickBooks query language the fake understands (spec digest section 1.4).

``SELECT * | COUNT(*) FROM Entity [WHERE p op v [AND ...]] [ORDERBY p [ASC|DESC], ...]
[STARTPOSITION n] [MAXRESULTS m]`` with ``= < > <= >= IN LIKE``; no OR, as in QuickBooks.
Name lists (Customer, Item, Account, Class...) answer only their active records unless the
statement names ``Active`` itself (``WHERE Active IN (true, false)`` reads them all).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from roofops.sandbox.quickbooks import errors
from roofops.sandbox.quickbooks.store import ENTITIES, NAME_LISTS, Entity, parse_time

MAX_RESULTS = 1000
DEFAULT_RESULTS = 100
OPERATORS = ("=", "<", ">", "<=", ">=", "IN", "LIKE")
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op><=|>=|!=|=|<|>)|(?P<punct>[(),*])"
    r"|(?P<number>-?\d+(?:\.\d+)?(?![\w.]))|(?P<word>[A-Za-z_][\w.]*))"
)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str | tuple[str, ...]


@dataclass(frozen=True)
class Query:
    entity: str
    count: bool
    where: tuple[Condition, ...]
    order_by: tuple[tuple[str, bool], ...]
    start: int
    max_results: int

    @property
    def filter_key(self) -> tuple[str, tuple[Condition, ...], tuple[tuple[str, bool], ...]]:
        """Everything but paging: pages of one statement share one filtered, sorted list."""
        return self.entity, self.where, self.order_by


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise errors.query_error(f"unexpected text at {position}: {text[position:][:20]!r}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise errors.query_error("statement ends too early")
        self.position += 1
        return token

    def expect(self, keyword: str) -> None:
        token = self.take()
        if keyword not in (token.keyword, token.text):
            raise errors.query_error(f"expected {keyword}, found {token.text!r}")

    def accept(self, keyword: str) -> bool:
        token = self.peek()
        if token is not None and keyword in (token.keyword, token.text):
            self.position += 1
            return True
        return False


def parse_query(text: str, max_results: int = MAX_RESULTS) -> Query:
    """``max_results``: the server's page cap (QuickBooks' is commonly given as 1,000)."""
    parser = _Parser(tokenize(text))
    parser.expect("SELECT")
    count = _selection(parser)
    parser.expect("FROM")
    entity = parser.take().text
    if entity not in ENTITIES:
        raise errors.query_error(f"unknown entity {entity!r} (names are case-sensitive)")
    where = _active_unless_named(entity, _where(parser) if parser.accept("WHERE") else ())
    order_by = _order_by(parser) if _accept_order_by(parser) else ()
    start = _number_after(parser, "STARTPOSITION", 1)
    asked = _number_after(parser, "MAXRESULTS", DEFAULT_RESULTS)
    if parser.peek() is not None:
        raise errors.query_error(f"unexpected {parser.take().text!r}")
    return Query(entity, count, where, order_by, max(start, 1), max(min(asked, max_results), 0))


def _active_unless_named(entity: str, where: tuple[Condition, ...]) -> tuple[Condition, ...]:
    if entity not in NAME_LISTS or any(condition.field == "Active" for condition in where):
        return where
    return (*where, Condition("Active", "=", "true"))


def _selection(parser: _Parser) -> bool:
    if parser.accept("*"):
        return False
    parser.expect("COUNT")
    parser.expect("(")
    parser.expect("*")
    parser.expect(")")
    return True


def _where(parser: _Parser) -> tuple[Condition, ...]:
    conditions = [_condition(parser)]
    while parser.accept("AND"):
        conditions.append(_condition(parser))
    following = parser.peek()
    if following is not None and following.keyword == "OR":
        raise errors.query_error("OR is not supported")
    return tuple(conditions)


def _condition(parser: _Parser) -> Condition:
    field = parser.take()
    if field.kind != "word":
        raise errors.query_error(f"expected a property, found {field.text!r}")
    op_token = parser.take()
    op = op_token.keyword or op_token.text
    if op not in OPERATORS:
        raise errors.query_error(f"unsupported operator {op_token.text!r}")
    value = _in_list(parser) if op == "IN" else _literal(parser.take())
    return Condition(field.text, op, value)


def _in_list(parser: _Parser) -> tuple[str, ...]:
    parser.expect("(")
    values = [_literal(parser.take())]
    while parser.accept(","):
        values.append(_literal(parser.take()))
    parser.expect(")")
    return tuple(values)


def _literal(token: Token) -> str:
    if token.kind == "string":
        return re.sub(r"\\(.)", r"\1", token.text[1:-1])
    if token.kind == "number" or token.keyword in ("TRUE", "FALSE"):
        return token.text.lower()
    raise errors.query_error(f"expected a value, found {token.text!r}")


def _accept_order_by(parser: _Parser) -> bool:
    if parser.accept("ORDERBY"):
        return True
    if parser.accept("ORDER"):
        parser.expect("BY")
        return True
    return False


def _order_by(parser: _Parser) -> tuple[tuple[str, bool], ...]:
    keys = []
    while True:
        field = parser.take().text
        descending = parser.accept("DESC")
        if not descending:
            parser.accept("ASC")
        keys.append((field, descending))
        if not parser.accept(","):
            return tuple(keys)


def _number_after(parser: _Parser, keyword: str, default: int) -> int:
    if not parser.accept(keyword):
        return default
    token = parser.take()
    if token.kind != "number" or not token.text.isdigit():
        raise errors.query_error(f"{keyword} needs a whole number")
    return int(token.text)


def select(rows: list[Entity], query: Query) -> list[Entity]:
    """Rows matching the WHERE clause, in ORDERBY order with Id as the final tie-breaker."""
    checks = [_check(condition) for condition in query.where]
    matching = [row for row in rows if all(check(row) for check in checks)]
    matching.sort(key=lambda row: _sort_key(row.get("Id")))
    for field, descending in reversed(query.order_by):
        matching.sort(key=_key_of(field), reverse=descending)
    return matching


def page(rows: list[Entity], query: Query) -> list[Entity]:
    first = query.start - 1
    return rows[first : first + query.max_results]


def _key_of(field: str) -> Callable[[Entity], tuple[int, Any]]:
    def key(row: Entity) -> tuple[int, Any]:
        return _sort_key(_resolve(row, field))

    return key


def _resolve(row: Entity, path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    # A reference compares by its Id: WHERE CustomerRef = '58'.
    return value.get("value") if isinstance(value, dict) else value


def _check(condition: Condition) -> Callable[[Entity], bool]:
    compare = _COMPARISONS[condition.op]

    def check(row: Entity) -> bool:
        actual = _resolve(row, condition.field)
        return actual is not None and compare(actual, condition.value)

    return check


def _typed(actual: Any, literal: str) -> tuple[Any, Any]:
    """Both sides in the type of the stored value, so '2024-05-01T00:00:00-07:00' is a moment."""
    if isinstance(actual, bool):
        return actual, literal.lower() == "true"
    if isinstance(actual, int | float | Decimal):
        return Decimal(str(actual)), _decimal(literal)
    text = str(actual)
    if _DATETIME.match(text) and _DATETIME.match(literal):
        return parse_time(text), _moment(literal)
    return text.lower(), literal.lower()


def _decimal(literal: str) -> Decimal:
    try:
        return Decimal(literal)
    except InvalidOperation as exc:
        raise errors.query_error(f"{literal!r} is not a number") from exc


def _moment(literal: str) -> datetime:
    try:
        return parse_time(literal)
    except ValueError as exc:
        raise errors.query_error(f"{literal!r} is not a date-time") from exc


def _like(actual: Any, pattern: Any) -> bool:
    regex = ".*".join(re.escape(part) for part in str(pattern).split("%"))
    return re.fullmatch(regex, str(actual), flags=re.IGNORECASE | re.DOTALL) is not None


def _in(actual: Any, values: Any) -> bool:
    return any(_equal(actual, value) for value in values)


def _equal(actual: Any, literal: Any) -> bool:
    left, right = _typed(actual, literal)
    return bool(left == right)


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(actual: Any, literal: Any) -> bool:
        left, right = _typed(actual, literal)
        return test(left, right)

    return compare


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": _equal,
    "<": _ordered(lambda a, b: a < b),
    ">": _ordered(lambda a, b: a > b),
    "<=": _ordered(lambda a, b: a <= b),
    ">=": _ordered(lambda a, b: a >= b),
    "IN": _in,
    "LIKE": _like,
}


def _sort_key(value: Any) -> tuple[int, Any]:
    """Numbers (and numeric Ids) by value, moments by time, text without case; missing last."""
    if value is None:
        return (3, "")
    if isinstance(value, bool | int | float | Decimal):
        return (0, Decimal(str(value)))
    text = str(value)
    if text.isdigit():
        return (0, Decimal(text))
    if _DATETIME.match(text):
        return (1, parse_time(text).timestamp())
    return (2, text.lower())
