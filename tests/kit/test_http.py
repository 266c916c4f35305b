"""VendorHTTP retry semantics over real HTTP messages (httpx.MockTransport plays the vendor)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import structlog
import structlog.testing

from roofops.kit import http as http_module
from roofops.kit.http import (
    RateLimiter,
    RetryPolicy,
    VendorAuthError,
    VendorHTTP,
    VendorRateLimited,
    VendorRequestError,
    VendorUnavailable,
    parse_retry_after,
)

Handler = Callable[[httpx.Request], httpx.Response]


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def scripted(responses: list[httpx.Response | Exception]) -> Handler:
    """A vendor that answers each request with the next scripted outcome."""
    outcomes: Iterator[httpx.Response | Exception] = iter(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return handle


def vendor(
    handler: Handler,
    sleep: RecordingSleep,
    *,
    retry: RetryPolicy | None = None,
    limiter: RateLimiter | None = None,
) -> VendorHTTP:
    return VendorHTTP(
        "acme",
        "https://vendor.test/api/",
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        rng=random.Random(7),
        headers={"Authorization": "Bearer s3cret-key"},
        retry=retry,
        limiter=limiter,
    )


def test_success_returns_response_and_counts_one_request() -> None:
    sleep = RecordingSleep()
    with vendor(scripted([httpx.Response(200, json={"ok": True})]), sleep) as http:
        response = http.request("GET", "things", params={"size": 10})
    assert response.json() == {"ok": True}
    assert response.request.url.path == "/api/things"
    assert http.requests_sent == 1
    assert sleep.delays == []


def test_retry_after_seconds_is_honoured() -> None:
    sleep = RecordingSleep()
    handler = scripted(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={})]
    )
    with vendor(handler, sleep) as http:
        http.request("GET", "things")
    assert sleep.delays == [7.0]
    assert http.requests_sent == 2


def test_retry_after_http_date_is_honoured() -> None:
    sleep = RecordingSleep()
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=12), usegmt=True)
    handler = scripted(
        [httpx.Response(503, headers={"Retry-After": later}), httpx.Response(200, json={})]
    )
    with vendor(handler, sleep) as http:
        http.request("GET", "things")
    assert len(sleep.delays) == 1
    assert 9.0 <= sleep.delays[0] <= 12.0


def test_parse_retry_after_forms() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_retry_after_is_capped_at_max_delay() -> None:
    sleep = RecordingSleep()
    handler = scripted(
        [httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json={})]
    )
    with vendor(handler, sleep, retry=RetryPolicy(max_delay=10.0)) as http:
        http.request("GET", "things")
    assert sleep.delays == [10.0]


def test_backoff_is_jittered_exponential_and_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delays = [policy.delay(attempt, None, rng) for _ in range(200)]
        assert all(0.0 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling * 0.8  # full jitter really spreads up to the ceiling


def test_backoff_is_reproducible_with_a_seed() -> None:
    policy = RetryPolicy()
    first = [policy.delay(n, None, random.Random(3)) for n in range(1, 5)]
    again = [policy.delay(n, None, random.Random(3)) for n in range(1, 5)]
    assert first == again


def test_gives_up_on_persistent_429_with_rate_limited_error() -> None:
    sleep = RecordingSleep()
    handler = scripted([httpx.Response(429, headers={"Retry-After": "1"})] * 3)
    http = vendor(handler, sleep, retry=RetryPolicy(attempts=3))
    with pytest.raises(VendorRateLimited) as caught:
        http.request("GET", "things")
    assert caught.value.retry_after == 1.0
    assert caught.value.status == 429
    assert caught.value.vendor == "acme"
    assert http.requests_sent == 3
    assert sleep.delays == [1.0, 1.0]


def test_gives_up_on_persistent_5xx_with_unavailable_error() -> None:
    sleep = RecordingSleep()
    handler = scripted([httpx.Response(502, text="bad gateway")] * 2)
    http = vendor(handler, sleep, retry=RetryPolicy(attempts=2))
    with pytest.raises(VendorUnavailable) as caught:
        http.request("GET", "things")
    assert caught.value.status == 502
    assert caught.value.body == "bad gateway"
    assert caught.value.status_code == 502


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_not_retried(status: int) -> None:
    sleep = RecordingSleep()
    handler = scripted([httpx.Response(status, json={"error": "Invalid API key"})])
    http = vendor(handler, sleep)
    with pytest.raises(VendorAuthError) as caught:
        http.request("GET", "things")
    assert http.requests_sent == 1
    assert "Invalid API key" in caught.value.body


def test_other_4xx_raise_request_error_without_retry() -> None:
    sleep = RecordingSleep()
    http = vendor(scripted([httpx.Response(404, text="no such job")]), sleep)
    with pytest.raises(VendorRequestError) as caught:
        http.request("GET", "jobs/zz")
    assert caught.value.status == 404
    assert http.requests_sent == 1


def test_transport_errors_are_retried_then_succeed() -> None:
    sleep = RecordingSleep()
    handler = scripted(
        [
            httpx.ConnectError("refused"),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    with vendor(handler, sleep) as http:
        assert http.request("POST", "things", json={"a": 1}).json() == {"ok": 1}
    assert http.requests_sent == 3
    assert len(sleep.delays) == 2


def test_transport_errors_give_up_as_unavailable() -> None:
    sleep = RecordingSleep()
    handler = scripted([httpx.ConnectTimeout("no route")] * 2)
    http = vendor(handler, sleep, retry=RetryPolicy(attempts=2))
    with pytest.raises(VendorUnavailable) as caught:
        http.request("GET", "things")
    assert caught.value.status is None
    assert "ConnectTimeout" in caught.value.message


def test_configuration_transport_errors_are_not_retried() -> None:
    sleep = RecordingSleep()
    http = vendor(scripted([httpx.UnsupportedProtocol("ftp://")]), sleep)
    with pytest.raises(VendorUnavailable):
        http.request("GET", "things")
    assert http.requests_sent == 1
    assert sleep.delays == []


def test_error_body_is_truncated_and_never_contains_the_key() -> None:
    sleep = RecordingSleep()
    echo = "you sent Authorization: Bearer s3cret-key " + "x" * 2000
    http = vendor(scripted([httpx.Response(400, text=echo)]), sleep)
    with pytest.raises(VendorRequestError) as caught:
        http.request("GET", "things")
    assert "s3cret-key" not in caught.value.body
    assert len(caught.value.body) == 500


def test_retry_log_carries_context_but_not_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # The module's logger is cached on first use: record its calls directly.
    recorder = structlog.testing.CapturingLogger()
    monkeypatch.setattr(http_module, "log", recorder)
    sleep = RecordingSleep()
    handler = scripted([httpx.Response(500), httpx.Response(200, json={})])
    with vendor(handler, sleep) as http:
        http.request("GET", "things")
    [retry] = [call for call in recorder.calls if call.args == ("http.retry",)]
    assert retry.kwargs["vendor"] == "acme"
    assert "s3cret-key" not in repr(recorder.calls)


def test_every_attempt_waits_for_the_rate_limiter() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, 1, clock=clock.now, sleep=clock.sleep)
    sleep = RecordingSleep()
    handler = scripted([httpx.Response(503), httpx.Response(200, json={})])
    with vendor(handler, sleep, limiter=limiter) as http:
        http.request("GET", "things")
    # The first attempt used the burst token; the retry had to wait for the next one.
    assert clock.slept == [0.5]


class FakeClock:
    def __init__(self) -> None:
        self.time = 100.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds


def test_rate_limiter_allows_a_burst_then_paces() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5.0, 2, clock=clock.now, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire()
    assert clock.slept == pytest.approx([0.2, 0.2, 0.2])
    assert clock.time == pytest.approx(100.6)


def test_rate_limiter_refills_while_idle_up_to_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, 3, clock=clock.now, sleep=clock.sleep)
    for _ in range(3):
        limiter.acquire()
    clock.time += 60.0  # a long idle spell refills only up to the burst
    for _ in range(3):
        limiter.acquire()
    assert clock.slept == []
    limiter.acquire()
    assert clock.slept == [1.0]


def test_rate_limiter_is_thread_safe() -> None:
    import threading

    clock = FakeClock()
    lock = threading.Lock()

    def locked_sleep(seconds: float) -> None:
        with lock:
            clock.slept.append(seconds)

    limiter = RateLimiter(10.0, 1, clock=clock.now, sleep=locked_sleep)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # With the clock frozen, each caller reserved a distinct later slot: 0.1 s, 0.2 s, ... 1.9 s.
    assert sorted(clock.slept) == pytest.approx([n / 10 for n in range(1, 20)])


def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="rate_per_second"):
        RateLimiter(0, 1)
