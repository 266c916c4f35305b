"""Parsing JSON that someone else wrote (request bodies, webhooks): bounded in size and depth.

``json.loads`` reads any size and recurses once per nesting level, so a small body of
``[[[[...`` costs a deep stack (or a RecursionError far from here). Our own payloads nest a
handful of levels; anything deeper is refused before it reaches the code that reads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from roofops.exceptions import RoofOpsError

MAX_DEPTH = 32
MAX_BYTES = 1024 * 1024


class UntrustedJsonError(RoofOpsError, ValueError):
    """JSON we refuse to read. A ValueError too, so that code written for ``json.loads``
    (``except ValueError``) keeps working when it switches to :func:`load_untrusted_json`."""

    status_code = 400
    code = "invalid_json"


class JsonNestedTooDeep(UntrustedJsonError):
    """Valid JSON, but nested deeper than anything we read."""


def load_untrusted_json(
    data: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """``json.loads`` for bytes from outside: at most ``max_bytes`` long and ``max_depth``
    arrays/objects deep, else :class:`UntrustedJsonError` (HTTP 400)."""
    if len(data) > max_bytes:
        raise UntrustedJsonError(f"JSON body is larger than {max_bytes} bytes")
    try:
        document = json.loads(data, parse_float=parse_float)
    except RecursionError:
        raise _too_deep(max_depth) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UntrustedJsonError(f"body is not valid JSON: {exc}") from None
    if nesting_depth(document, stop_after=max_depth) > max_depth:
        raise _too_deep(max_depth)
    return document


def nesting_depth(document: Any, *, stop_after: int) -> int:
    """How many arrays/objects deep ``document`` goes (a scalar is 0), counted without
    recursion and no further than ``stop_after + 1``."""
    deepest = 0
    for depth, _path, _value in walk(document):
        deepest = max(deepest, depth)
        if deepest > stop_after:
            break
    return deepest


def walk(document: Any) -> Iterator[tuple[int, str, Any]]:
    """Every value of a parsed document with its depth and its path (``items.0.name``),
    containers before their contents; object keys are yielded as values too (they are text
    someone else chose)."""
    stack: list[tuple[int, str, Any]] = [(0, "", document)]
    while stack:
        depth, path, value = stack.pop()
        if isinstance(value, dict):
            yield depth + 1, path, value
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                yield depth + 1, child, key
                stack.append((depth + 1, child, item))
        elif isinstance(value, list):
            yield depth + 1, path, value
            stack.extend(
                (depth + 1, f"{path}.{index}" if path else str(index), item)
                for index, item in enumerate(value)
            )
        else:
            yield depth, path, value


def _too_deep(max_depth: int) -> JsonNestedTooDeep:
    return JsonNestedTooDeep(f"JSON is nested deeper than {max_depth} levels")
