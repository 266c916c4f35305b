"""The loader for JSON from outside: bounded depth and size, errors that map to HTTP 400."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from roofops.kit.untrusted_json import (
    JsonNestedTooDeep,
    UntrustedJsonError,
    load_untrusted_json,
    nesting_depth,
)


def test_reads_ordinary_json_like_json_loads() -> None:
    body = b'{"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": []}}]}'
    assert load_untrusted_json(body) == json.loads(body)
    assert load_untrusted_json('{"a": 1.10}', parse_float=Decimal) == {"a": Decimal("1.10")}


@pytest.mark.parametrize("depth", [33, 1000, 200_000])
def test_refuses_deep_nesting_however_deep(depth: int) -> None:
    with pytest.raises(JsonNestedTooDeep, match="deeper than 32") as refused:
        load_untrusted_json("[" * depth + "]" * depth, max_bytes=10**6)
    assert refused.value.status_code == 400


def test_takes_exactly_the_allowed_depth() -> None:
    assert nesting_depth(load_untrusted_json("[" * 32 + "]" * 32), stop_after=40) == 32
    assert nesting_depth({"a": [{"b": 1}]}, stop_after=10) == 3
    assert nesting_depth("scalar", stop_after=10) == 0


def test_refuses_a_body_over_the_size_limit_before_parsing() -> None:
    with pytest.raises(UntrustedJsonError, match="larger than 10 bytes"):
        load_untrusted_json(b'{"a": "0123456789"}', max_bytes=10)


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"NaN-ish", b""])
def test_unreadable_json_is_a_400_and_still_a_value_error(body: bytes) -> None:
    # A ValueError too: code that caught json.loads' errors keeps working after switching.
    with pytest.raises(ValueError, match="not valid JSON") as refused:
        load_untrusted_json(body)
    assert isinstance(refused.value, UntrustedJsonError)
    assert refused.value.status_code == 400
