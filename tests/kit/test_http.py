"""VendorHTTP retry semantics over real HTTP messages (httpx.MockTransport plays the vendor)."""

from __future__ import annotations

import random
import time
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
    Retrier,
    RetryingTransport,
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
    sleep: Callable[[float], None],
    *,
    retry: RetryPolicy | None = None,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> VendorHTTP:
    return VendorHTTP(
        "acme",
        "https://vendor.test/api/",
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        clock=clock,
        rng=random.Random(7),
        headers={"Authorization": "Bearer s3cret-key"},
        retry=retry,
        limiter=limiter,
    )


def forever(response: Callable[[], httpx.Response]) -> Handler:
    """A vendor stuck in one answer: only the retry budget can end the call."""
    return lambda _request: response()


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
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(give_up_after=-1.0)
    with pytest.raises(ValueError, match="rate_per_second"):
        RateLimiter(0, 1)


# ----- giving up by elapsed time -------------------------------------------------------------
def test_a_storm_is_ridden_out_however_many_429s_it_takes() -> None:
    clock = FakeClock()
    answers = [httpx.Response(429)] * 12 + [httpx.Response(200, json={"ok": True})]
    policy = RetryPolicy(give_up_after=600.0, base_delay=1.0, max_delay=60.0)
    with vendor(scripted(answers), clock.sleep, retry=policy, clock=clock.now) as http:
        assert http.request("GET", "things").json() == {"ok": True}
    assert http.requests_sent == 13
    assert len(set(clock.slept)) == 12  # no Retry-After: full jitter, no two workers in step
    assert all(0.0 <= delay <= 60.0 for delay in clock.slept)
    assert clock.time - 100.0 == pytest.approx(sum(clock.slept))


def test_a_never_ending_storm_gives_up_when_the_next_wait_would_pass_the_budget() -> None:
    clock = FakeClock()
    handler = forever(lambda: httpx.Response(429, headers={"Retry-After": "10"}))
    policy = RetryPolicy(give_up_after=25.0, max_delay=60.0)
    http = vendor(handler, clock.sleep, retry=policy, clock=clock.now)
    with pytest.raises(VendorRateLimited) as caught:
        http.request("GET", "things")
    # 0 s, 10 s and 20 s; a third wait would end at 30 s, past the 25 s budget: not taken.
    assert clock.slept == [10.0, 10.0]
    assert http.requests_sent == 3
    assert caught.value.retry_after == 10.0
    assert caught.value.message == "acme answered HTTP 429; gave up after 3 tries over 20 s"


def test_time_spent_in_attempts_counts_against_the_budget() -> None:
    clock = FakeClock()

    def slow_and_failing(_request: httpx.Request) -> httpx.Response:
        clock.time += 20.0  # a vendor that takes 20 s to fail
        return httpx.Response(503, headers={"Retry-After": "1"})

    policy = RetryPolicy(give_up_after=50.0)
    http = vendor(slow_and_failing, clock.sleep, retry=policy, clock=clock.now)
    with pytest.raises(VendorUnavailable) as caught:
        http.request("GET", "things")
    # 20 s, wait 1, 20 s (41), wait 1, 20 s (62): no more.
    assert http.requests_sent == 3
    assert clock.slept == [1.0, 1.0]
    assert "gave up after 3 tries over 62 s" in caught.value.message


def test_waits_count_as_asked_when_only_sleep_is_replaced() -> None:
    """A test (or the demo) that fakes sleep but not the clock still ends a storm at once."""
    sleep = RecordingSleep()
    policy = RetryPolicy(give_up_after=30.0, base_delay=1.0, max_delay=8.0)
    http = vendor(forever(lambda: httpx.Response(502)), sleep, retry=policy)
    with pytest.raises(VendorUnavailable):
        http.request("GET", "things")
    assert 22.0 < sum(sleep.delays) <= 30.0  # the next wait (at most 8 s) would not fit
    assert http.requests_sent == len(sleep.delays) + 1


def test_transport_errors_give_up_by_time_too() -> None:
    clock = FakeClock()

    def refused(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    policy = RetryPolicy(give_up_after=10.0, base_delay=1.0, max_delay=4.0)
    http = vendor(refused, clock.sleep, retry=policy, clock=clock.now)
    with pytest.raises(VendorUnavailable) as caught:
        http.request("GET", "things")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.message.startswith("acme did not answer: ConnectError; gave up after ")
    assert 6.0 < sum(clock.slept) <= 10.0


def test_give_up_log_says_how_long_and_how_often(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = structlog.testing.CapturingLogger()
    monkeypatch.setattr(http_module, "log", recorder)
    clock = FakeClock()
    handler = forever(lambda: httpx.Response(429, headers={"Retry-After": "4"}))
    http = vendor(handler, clock.sleep, retry=RetryPolicy(give_up_after=9.0), clock=clock.now)
    with pytest.raises(VendorRateLimited):
        http.request("GET", "things")
    retries = [call.kwargs for call in recorder.calls if call.args == ("http.retry",)]
    [gave_up] = [call.kwargs for call in recorder.calls if call.args == ("http.gave_up",)]
    assert [(r["attempt"], r["delay"], r["elapsed"]) for r in retries] == [
        (1, 4.0, 0.0),
        (2, 4.0, 4.0),
    ]
    assert (gave_up["attempts"], gave_up["elapsed"], gave_up["budget"]) == (3, 8.0, 9.0)
    assert gave_up["status"] == 429


def test_an_attempts_cap_still_stops_early_inside_the_budget() -> None:
    clock = FakeClock()
    policy = RetryPolicy(give_up_after=600.0, attempts=2)
    http = vendor(forever(lambda: httpx.Response(503)), clock.sleep, retry=policy, clock=clock.now)
    with pytest.raises(VendorUnavailable):
        http.request("GET", "things")
    assert http.requests_sent == 2


# ----- retries under someone else's client -----------------------------------------------------
def retrying_client(handler: Handler, clock: FakeClock, policy: RetryPolicy) -> httpx.Client:
    retrier = Retrier("acme", policy, sleep=clock.sleep, clock=clock.now, rng=random.Random(3))
    transport = RetryingTransport(retrier, httpx.MockTransport(handler))
    return httpx.Client(base_url="https://vendor.test", transport=transport)


def test_a_retrying_transport_hands_its_client_the_first_good_answer() -> None:
    clock = FakeClock()
    answers = [httpx.Response(503), httpx.ConnectError("refused"), httpx.Response(200, text="ok")]
    with retrying_client(scripted(answers), clock, RetryPolicy()) as client:
        response = client.post("/token", data={"grant_type": "refresh_token"})
    assert response.text == "ok"
    assert len(clock.slept) == 2


def test_a_retrying_transport_hands_back_the_last_answer_or_error_when_it_gives_up() -> None:
    clock = FakeClock()
    policy = RetryPolicy(give_up_after=5.0, max_delay=2.0)
    with retrying_client(forever(lambda: httpx.Response(503)), clock, policy) as client:
        assert client.get("/token").status_code == 503
    assert sum(clock.slept) <= 5.0

    def refused(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with retrying_client(refused, clock, policy) as client, pytest.raises(httpx.ConnectError):
        client.get("/token")
