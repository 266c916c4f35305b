"""Reading lists: the ``where`` subset, ``order``, the optimised filters, If-Modified-Since and
``page``/``pageSize`` (spec digest section 2.4).

``where`` understands comparisons (``== != > >= < <=``) of a field path with a string,
``guid("…")``, ``DateTime(y,m,d[,h,m,s])``, a number, ``true``/``false`` or ``null``, joined by
``AND``/``&&`` and ``OR``/``||`` (AND binds tighter), with parentheses. Anything else is a
QueryParseException, as Xero answers an expression it cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from roofops.integrations.xero.dates import parse_moment
from roofops.sandbox.xero import errors
from roofops.sandbox.xero.store import ID_FIELDS, Books, Entity

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
Lookup = Callable[[str], Any]
Predicate = Callable[[Lookup], bool]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<op>==|!=|>=|<=|>|<|&&|\|\|)
    | (?P<punct>[(),])
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<word>[A-Za-z_][\w.]*)
    )""",
    re.VERBOSE,
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and b is not None and a > b,
    ">=": lambda a, b: a is not None and b is not None and a >= b,
    "<": lambda a, b: a is not None and b is not None and a < b,
    "<=": lambda a, b: a is not None and b is not None and a <= b,
}


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _parse_error(f"unexpected text at {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _parse_error(detail: str) -> errors.XeroFailure:
    return errors.bad_request(errors.QUERY_PARSE, f"The where clause could not be parsed: {detail}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def parse(self) -> Predicate:
        predicate = self._or()
        if self.at != len(self.tokens):
            raise _parse_error(f"unexpected {self.tokens[self.at][1]!r}")
        return predicate

    def _peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def _take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise _parse_error("the expression ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def _expect(self, text: str) -> None:
        if self._take()[1] != text:
            raise _parse_error(f"expected {text!r}")

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._peek().upper() in ("OR", "||"):
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else lambda row: any(p(row) for p in parts)

    def _and(self) -> Predicate:
        parts = [self._term()]
        while self._peek().upper() in ("AND", "&&"):
            self._take()
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else lambda row: all(p(row) for p in parts)

    def _term(self) -> Predicate:
        if self._peek() == "(":
            self._take()
            inner = self._or()
            self._expect(")")
            return inner
        kind, path = self._take()
        if kind != "word":
            raise _parse_error(f"expected a field, found {path!r}")
        kind, operator = self._take()
        if kind != "op" or operator not in _COMPARE:
            raise _parse_error(f"expected a comparison after {path}, found {operator!r}")
        literal = self._literal()
        compare = _COMPARE[operator]
        return lambda row: compare(_comparable(row(path), literal), literal)

    def _literal(self) -> Any:
        kind, text = self._take()
        if kind == "string":
            return bytes(text[1:-1], "utf-8").decode("unicode_escape")
        if kind == "number":
            return Decimal(text)
        if kind != "word":
            raise _parse_error(f"expected a value, found {text!r}")
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        if text.lower() == "null":
            return None
        if text.lower() == "guid":
            return self._call_args("guid")[0].lower()
        if text == "DateTime":
            return _datetime(self._call_args("DateTime"))
        raise _parse_error(f"{text} is not a value")

    def _call_args(self, name: str) -> list[str]:
        self._expect("(")
        args: list[str] = []
        while self._peek() != ")":
            kind, text = self._take()
            if kind not in ("string", "number"):
                raise _parse_error(f"{name}() takes strings or numbers")
            args.append(text.strip('"'))
            if self._peek() == ",":
                self._take()
        self._take()
        if not args:
            raise _parse_error(f"{name}() needs an argument")
        return args


def _datetime(parts: list[str]) -> datetime:
    try:
        year, month, day, *clock = [int(part) for part in parts]
        hour, minute, second = [*clock, 0, 0, 0][:3]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError) as exc:
        raise _parse_error(f"DateTime({', '.join(parts)}) is not a date") from exc


def _comparable(value: Any, literal: Any) -> Any:
    """The row's value in the literal's type: a Xero date against DateTime(...), a number
    against a number, an id in lower case against guid(...)."""
    if value is None or isinstance(literal, bool) or literal is None:
        return value
    try:
        if isinstance(literal, datetime):
            return value if isinstance(value, datetime) else parse_moment(str(value))
        if isinstance(literal, Decimal):
            return Decimal(str(value))
    except (ValueError, InvalidOperation):
        return None
    return str(value).lower() if _looks_like_guid(literal) else str(value)


def _looks_like_guid(literal: Any) -> bool:
    return isinstance(literal, str) and len(literal) == 36 and literal.count("-") == 4


def parse_where(text: str) -> Predicate:
    return _Parser(text).parse()


def field_lookup(books: Books, resource: str, row: Entity) -> Lookup:
    """Dotted paths into a row; UpdatedDateUTC as the moment Xero stamped it."""
    id_field = ID_FIELDS[resource]

    def lookup(path: str) -> Any:
        if path == "UpdatedDateUTC":
            return books.updated_at(resource, row[id_field])
        value: Any = row
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    return lookup


@dataclass(frozen=True)
class ListQuery:
    where: str = ""
    order: str = ""
    since: datetime | None = None
    page: int | None = None
    page_size: int = PAGE_SIZE
    filters: tuple[tuple[str, frozenset[str]], ...] = ()


def select(books: Books, resource: str, query: ListQuery) -> list[Entity]:
    """The rows that match, in order (creation order breaks ties, as a stable sort keeps it)."""
    predicate = parse_where(query.where) if query.where.strip() else None
    chosen = []
    for row in books.rows(resource):
        lookup = field_lookup(books, resource, row)
        if query.since is not None and lookup("UpdatedDateUTC") <= query.since:
            continue
        if predicate is not None and not predicate(lookup):
            continue
        if all(str(lookup(path) or "").lower() in wanted for path, wanted in query.filters):
            chosen.append(row)
    return _ordered(books, resource, chosen, query.order)


def _ordered(books: Books, resource: str, rows: list[Entity], order: str) -> list[Entity]:
    for clause in reversed([part.strip() for part in order.split(",") if part.strip()]):
        field, _, direction = clause.partition(" ")
        descending = direction.strip().upper() == "DESC"
        if direction.strip().upper() not in ("", "ASC", "DESC"):
            raise _parse_error(f"cannot order by {clause!r}")
        rows.sort(key=_sort_key(books, resource, field), reverse=descending)
    return rows


def _sort_key(books: Books, resource: str, field: str) -> Callable[[Entity], Any]:
    def key(row: Entity) -> tuple[int, Any]:
        value = field_lookup(books, resource, row)(field)
        if isinstance(value, str) and value.startswith("/Date("):
            value = parse_moment(value)
        return (0, "") if value is None else (1, value)

    return key


def page_of(rows: list[Entity], query: ListQuery) -> tuple[list[Entity], dict[str, int] | None]:
    """A page and its ``pagination``, or every row and no pagination without ``page``."""
    if query.page is None:
        return rows, None
    size = query.page_size
    start = (query.page - 1) * size
    pagination = {
        "page": query.page,
        "pageSize": size,
        "pageCount": -(-len(rows) // size),
        "itemCount": len(rows),
    }
    return rows[start : start + size], pagination
