"""The JobNimbus retry policies under 429 storms (httpx.MockTransport plays JobNimbus).

A sync (SYNC_RETRY) rides out storms for up to 4 minutes of elapsed time, however many 429s
that takes; a key check (CHECK_RETRY) answers within seconds. A fake clock that the fake sleep
advances makes every storm end at once and the same way each run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from roofops.integrations.jobnimbus.client import JOBS, JobNimbusClient
from roofops.integrations.jobnimbus.service import CHECK_RETRY, SYNC_RETRY
from roofops.kit.http import RateLimiter, RetryPolicy, VendorRateLimited, VendorUnavailable

EMPTY_PAGE = {"count": 0, "results": []}
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeTime:
    """The client's clock; its sleep moves it on and keeps every wait."""

    now: float = 1_000.0
    waits: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@dataclass
class Storm:
    """JobNimbus answering 429 to the first ``count`` requests (or until ``until`` on the
    clock), then an empty page. ``retry_after`` is its hint, if any."""

    time: FakeTime
    count: int = 0
    until: float = 0.0
    retry_after: str | None = None
    requests: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests <= self.count or self.time.now < self.until:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return httpx.Response(429, json={"error": "Too many requests"}, headers=headers)
        return httpx.Response(200, json=EMPTY_PAGE)


def client(handler: Handler, time: FakeTime, policy: RetryPolicy, seed: int = 0) -> JobNimbusClient:
    return JobNimbusClient(
        "jilqy9efy8jk79v9",
        base_url="https://app.jobnimbus.test/api1/",
        transport=httpx.MockTransport(handler),
        retry=policy,
        limiter=RateLimiter(10_000, 10_000),
        sleep=time.sleep,
        clock=time.clock,
        rng=random.Random(seed),
    )


def test_a_sync_rides_out_twelve_429s_without_a_hint_with_jittered_waits() -> None:
    storm = Storm(FakeTime(), count=12)

    with client(storm, storm.time, SYNC_RETRY) as jobnimbus:
        assert jobnimbus.page(JOBS, size=10).count == 0

    waits = storm.time.waits
    assert storm.requests == 13  # more than the old 8-attempt policy allowed
    assert len(set(waits)) == 12  # full jitter: no two workers retry in step
    assert all(0 <= wait <= SYNC_RETRY.max_delay for wait in waits)
    assert sum(waits) <= SYNC_RETRY.give_up_after


def test_a_sync_honours_retry_after_through_a_long_storm() -> None:
    storm = Storm(FakeTime(), count=12, retry_after="15")

    with client(storm, storm.time, SYNC_RETRY) as jobnimbus:
        jobnimbus.page(JOBS, size=10)

    assert storm.time.waits == [15.0] * 12


@pytest.mark.parametrize("seed", range(5))
def test_a_storm_shorter_than_the_budget_less_a_minute_is_always_ridden_out(seed: int) -> None:
    """Every wait is at most a minute, so a retry always lands inside the budget."""
    time = FakeTime()
    lasts = SYNC_RETRY.give_up_after - SYNC_RETRY.max_delay - 10
    storm = Storm(time, until=time.now + lasts)

    with client(storm, time, SYNC_RETRY, seed) as jobnimbus:
        jobnimbus.page(JOBS, size=10)

    assert lasts <= sum(time.waits) <= SYNC_RETRY.give_up_after


def test_a_sync_gives_up_once_the_next_wait_would_pass_four_minutes() -> None:
    storm = Storm(FakeTime(), count=10_000, retry_after="30")

    with (
        client(storm, storm.time, SYNC_RETRY) as jobnimbus,
        pytest.raises(VendorRateLimited) as caught,
    ):
        jobnimbus.page(JOBS, size=10)

    assert storm.time.waits == [30.0] * 8  # 240 s; a ninth wait would end at 270 s
    assert storm.requests == 9
    assert caught.value.retry_after == 30.0
    assert caught.value.message == "jobnimbus answered HTTP 429; gave up after 9 tries over 240 s"


def test_a_retry_after_beyond_a_minute_is_capped_at_the_minute() -> None:
    storm = Storm(FakeTime(), count=10_000, retry_after="3600")

    with client(storm, storm.time, SYNC_RETRY) as jobnimbus, pytest.raises(VendorRateLimited):
        jobnimbus.page(JOBS, size=10)

    assert storm.time.waits == [60.0] * 4


@pytest.mark.parametrize("retry_after", [None, "30"])
def test_a_key_check_answers_within_seconds(retry_after: str | None) -> None:
    storm = Storm(FakeTime(), count=10_000, retry_after=retry_after)

    with client(storm, storm.time, CHECK_RETRY) as jobnimbus, pytest.raises(VendorRateLimited):
        jobnimbus.account_settings()

    assert sum(storm.time.waits) <= CHECK_RETRY.give_up_after
    assert all(wait <= CHECK_RETRY.max_delay for wait in storm.time.waits)


def test_a_key_check_against_a_jobnimbus_that_is_down_answers_within_seconds() -> None:
    time = FakeTime()

    def down(_request: httpx.Request) -> httpx.Response:
        time.now += 0.5  # each refusal takes a while to arrive
        return httpx.Response(503)

    with client(down, time, CHECK_RETRY) as jobnimbus, pytest.raises(VendorUnavailable):
        jobnimbus.account_settings()

    assert time.now - 1_000.0 <= CHECK_RETRY.give_up_after + 0.5
