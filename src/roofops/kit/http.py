"""The base of every vendor client: timeouts, retries, Retry-After, rate limits, typed errors.

Vendor SDKs get these wrong in ways that cause outages (no timeouts, no 429 handling, retries that
ignore ``Retry-After``), so every client we write sits on :class:`VendorHTTP` instead.

Retries run on tenacity and give up by elapsed time, not by a count of attempts (ARCHITECTURE
Rule 4): a vendor that throttles for a minute is ridden out however many 429s that takes, and a
call never waits past its :class:`RetryPolicy` budget.

Every method is retried, writes included: Rule 4 makes each write carry a deterministic
idempotency key (``requestid``, ``Idempotency-Key``), which is what makes a repeated POST safe.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from types import TracebackType
from typing import Any, Self

import httpx
import tenacity
from tenacity import RetryCallState

from roofops.exceptions import RoofOpsError
from roofops.kit.time import utcnow
from roofops.kit.untrusted_json import load_untrusted_json
from roofops.logging import get_logger

log = get_logger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
BODY_EXCERPT_CHARS = 500
USER_AGENT = "roofops/0.1"

EventHook = Callable[..., Any]
Clock = Callable[[], float]
Sleep = Callable[[float], None]
# One try's result: an answer, or the transport error it raised (kept, to retry or report).
Outcome = httpx.Response | httpx.TransportError
# Worth another try; the other transport errors (a bad URL scheme, a proxy refusing us) are not.
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class VendorError(RoofOpsError):
    """A vendor call failed; to our own callers that is a bad gateway, not their mistake."""

    status_code = 502
    code = "vendor_error"

    def __init__(self, message: str, *, vendor: str, status: int | None, body: str = "") -> None:
        super().__init__(message, vendor=vendor, status=status)
        self.vendor = vendor
        self.status = status
        self.body = body


class VendorAuthError(VendorError):
    """401/403: the key or token is wrong or lacks permission; retrying cannot help."""

    code = "vendor_auth"


class VendorRateLimited(VendorError):
    """Still 429 after every retry; ``retry_after`` is the vendor's last hint, if it gave one."""

    status_code = 503
    code = "vendor_rate_limited"

    def __init__(
        self,
        message: str,
        *,
        vendor: str,
        status: int | None,
        body: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, vendor=vendor, status=status, body=body)
        self.retry_after = retry_after


class VendorUnavailable(VendorError):
    """5xx or no answer at all (connect/read timeout) after every retry."""

    code = "vendor_unavailable"


class VendorRequestError(VendorError):
    """Any other 4xx: our request was wrong (or the record is gone, for 404)."""

    code = "vendor_request_error"


class VendorResponseError(VendorError):
    """A 2xx answer we cannot read (not JSON, or not the documented shape)."""

    code = "vendor_response_error"


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How long one call keeps trying, and how long it waits between tries.

    ``give_up_after`` is the call's time budget in seconds: the time spent in attempts plus the
    waits between them. A retry whose wait would end past the budget is not made; the call gives
    up at once with the last answer. ``attempts`` optionally caps the number of tries as well
    (the first included) for a caller that must not repeat a request more than that many times.
    """

    give_up_after: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    attempts: int | None = None
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.attempts is not None and self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if min(self.give_up_after, self.base_delay, self.max_delay) < 0:
            raise ValueError("RetryPolicy times must not be negative")

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        The vendor's ``Retry-After`` wins because it knows its own quota window; otherwise
        exponential backoff with full jitter, so many workers hitting one limit spread out.
        """
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: either delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until_http_date(text, now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _seconds_until_http_date(text: str, now: datetime) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RateLimiter:
    """A thread-safe token bucket shared by every thread that talks to one vendor connection.

    A caller that finds the bucket empty reserves the next token (the count goes negative) and
    sleeps outside the lock until it is due, so waiting threads are served in arrival order.
    """

    def __init__(
        self,
        rate_per_second: float,
        burst: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("RateLimiter needs rate_per_second > 0 and burst >= 1")
        self.rate = rate_per_second
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        wait = self._reserve()
        if wait > 0:
            self._sleep(wait)

    def _reserve(self) -> float:
        with self._lock:
            now = self._clock()
            refill = (now - self._updated) * self.rate
            self._tokens = min(float(self.burst), self._tokens + refill)
            self._updated = now
            self._tokens -= 1.0
            return max(0.0, -self._tokens / self.rate)


@dataclass(frozen=True)
class Tried:
    """How a retried call ended: its last outcome, and whether the time budget ran out first."""

    outcome: Outcome
    attempts: int
    elapsed: float
    gave_up: bool

    def explained(self, message: str) -> str:
        """``message``, and after a give-up how long we kept trying: what a run shows people."""
        if not self.gave_up:
            return message
        return f"{message}; gave up after {self.attempts} tries over {self.elapsed:.0f} s"


class _Call:
    """One call's retry bookkeeping: tries made, time spent, and whether it gave up.

    Time spent is the attempts' time, by the clock, plus the waits as asked of ``sleep``: a
    test that replaces ``sleep`` (and its clock, or not) then sees a never-ending storm end
    after exactly the budget's worth of fake waiting, and production counts real time.
    """

    def __init__(self, clock: Clock, sleep: Sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self.attempts = 0
        self.elapsed = 0.0
        self.gave_up = False

    def attempt(self, send: Callable[[], Outcome]) -> Outcome:
        self.attempts += 1
        started = self._clock()
        try:
            return send()
        finally:
            self.elapsed += self._clock() - started

    def wait(self, seconds: float) -> None:
        self._sleep(float(seconds))
        self.elapsed += seconds

    def tried(self, outcome: Outcome) -> Tried:
        return Tried(outcome, self.attempts, self.elapsed, self.gave_up)


class Retrier:
    """The retry loop of one vendor connection, on tenacity: which outcomes earn another try,
    how long to wait before it, and when the time budget says to stop.

    :class:`VendorHTTP` runs its requests through it; :class:`RetryingTransport` puts it under
    an httpx client that someone else drives (authlib's OAuth client).
    """

    def __init__(
        self,
        vendor: str,
        policy: RetryPolicy,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.vendor = vendor
        self.policy = policy
        self._sleep = sleep
        self._clock = clock
        # Jitter only needs to differ between processes; tests pass a seeded Random.
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not cryptography)

    def run(self, send: Callable[[], Outcome], *, method: str, path: str) -> Tried:
        """Call ``send`` until its outcome is final or the budget is spent; never raises for
        an HTTP status or a transport error (those are outcomes), only for what ``send`` raises."""
        call = _Call(self._clock, self._sleep)
        context = {"vendor": self.vendor, "method": method, "path": path}
        retrying = tenacity.Retrying(
            sleep=call.wait,
            retry=tenacity.retry_if_result(self._retryable),
            wait=self._wait,
            stop=partial(self._spent, call),
            before_sleep=partial(self._log_retry, call, context),
            retry_error_callback=partial(self._give_up, call, context),
        )
        return call.tried(retrying(call.attempt, send))

    def _retryable(self, outcome: Outcome) -> bool:
        if isinstance(outcome, httpx.Response):
            return outcome.status_code in self.policy.retry_statuses
        return isinstance(outcome, TRANSIENT_ERRORS)

    def _wait(self, state: RetryCallState) -> float:
        retry_after = _retry_after_of(_last(state))
        return self.policy.delay(state.attempt_number, retry_after, self._rng)

    def _spent(self, call: _Call, state: RetryCallState) -> bool:
        """Stop before a wait that would end past the budget, not after sleeping through it."""
        cap = self.policy.attempts
        if cap is not None and state.attempt_number >= cap:
            return True
        return call.elapsed + state.upcoming_sleep > self.policy.give_up_after

    def _log_retry(self, call: _Call, context: dict[str, str], state: RetryCallState) -> None:
        outcome = _last(state)
        log.info(
            "http.retry",
            **context,
            attempt=state.attempt_number,
            delay=round(state.upcoming_sleep, 3),
            elapsed=round(call.elapsed, 3),
            retry_after=_retry_after_of(outcome),
            **_outcome_fields(outcome),
        )
        if isinstance(outcome, httpx.Response):
            outcome.close()  # a transport's unread answer would hold its connection

    def _give_up(self, call: _Call, context: dict[str, str], state: RetryCallState) -> Outcome:
        outcome = _last(state)
        call.gave_up = True
        log.warning(
            "http.gave_up",
            **context,
            attempts=state.attempt_number,
            elapsed=round(call.elapsed, 3),
            budget=self.policy.give_up_after,
            **_outcome_fields(outcome),
        )
        return outcome


class RetryingTransport(httpx.BaseTransport):
    """A :class:`Retrier` under an httpx client we do not drive ourselves (authlib's).

    The client sees only the last attempt: its answer, or its transport error raised.
    """

    def __init__(self, retrier: Retrier, transport: httpx.BaseTransport | None = None) -> None:
        self.retrier = retrier
        self._transport = transport or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        send = partial(self._attempt, request)
        outcome = self.retrier.run(send, method=request.method, path=request.url.path).outcome
        if isinstance(outcome, httpx.TransportError):
            raise outcome
        return outcome

    def close(self) -> None:
        self._transport.close()

    def _attempt(self, request: httpx.Request) -> Outcome:
        try:
            return self._transport.handle_request(request)
        except httpx.TransportError as exc:
            return exc


class Closing:
    """``with`` closes it (a client holds connections)."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class VendorHTTP(Closing):
    """One ``httpx.Client`` for one vendor connection, with retries and typed errors.

    Retries run above the client, so its event hooks and the rate limiter see every attempt.
    """

    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        headers: Mapping[str, str] | None = None,
        event_hooks: Mapping[str, list[EventHook]] | None = None,
        concurrency: threading.Semaphore | None = None,
    ) -> None:
        """``concurrency`` caps the calls in flight at once (Xero allows 5 per tenant); a retry's
        wait holds no slot, only its attempts do."""
        self.vendor = vendor
        self.retry = retry or RetryPolicy()
        self.limiter = limiter
        self.concurrency = concurrency
        self.requests_sent = 0
        self._count_lock = threading.Lock()  # one connection's client may serve several threads
        self._retrier = Retrier(vendor, self.retry, sleep=sleep, clock=clock, rng=rng)
        self._client = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            event_hooks={key: list(hooks) for key, hooks in (event_hooks or {}).items()},
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries; return a 2xx/3xx response or raise a :class:`VendorError`."""
        send = partial(
            self._send, method, path, params=params, json=json, data=data, headers=headers
        )
        tried = self._retrier.run(send, method=method, path=path)
        outcome = tried.outcome
        if isinstance(outcome, httpx.TransportError):
            raise unreachable(self.vendor, outcome, tried) from outcome
        if outcome.status_code < 400:
            return outcome
        raise error_for(self.vendor, outcome, tried)

    def close(self) -> None:
        self._client.close()

    def json(self, response: httpx.Response) -> Any:
        """The decoded body, or a typed error: a proxy's HTML page must not escape as ValueError."""
        try:
            return vendor_json(response.content)
        except ValueError as exc:
            raise VendorResponseError(
                f"{self.vendor} answered with a body that is not JSON",
                vendor=self.vendor,
                status=response.status_code,
                body=body_excerpt(response),
            ) from exc

    def _send(self, method: str, path: str, **kwargs: Any) -> Outcome:
        if self.limiter is not None:
            self.limiter.acquire()
        with self._count_lock:
            self.requests_sent += 1
        try:
            if self.concurrency is None:
                return self._client.request(method, path, **kwargs)
            with self.concurrency:  # the body is read inside: the slot covers the whole call
                return self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            return exc


def error_for(vendor: str, response: httpx.Response, tried: Tried | None = None) -> VendorError:
    """The typed error for an HTTP error answer (after retries, if ``tried`` says so)."""
    status = response.status_code
    body = body_excerpt(response)
    message = f"{vendor} answered HTTP {status}"
    if tried is not None:
        message = tried.explained(message)
    if status in (401, 403):
        return VendorAuthError(message, vendor=vendor, status=status, body=body)
    if status == 429:
        retry_after = _retry_after_of(response)
        return VendorRateLimited(
            message, vendor=vendor, status=status, body=body, retry_after=retry_after
        )
    if status >= 500:
        return VendorUnavailable(message, vendor=vendor, status=status, body=body)
    return VendorRequestError(message, vendor=vendor, status=status, body=body)


def unreachable(
    vendor: str, error: httpx.TransportError, tried: Tried | None = None
) -> VendorUnavailable:
    message = f"{vendor} did not answer: {type(error).__name__}"
    if tried is not None:
        message = tried.explained(message)
    return VendorUnavailable(message, vendor=vendor, status=None)


def _last(state: RetryCallState) -> Outcome:
    """The outcome of the attempt just made (attempts return their transport errors)."""
    assert state.outcome is not None, "tenacity asks only after an attempt"
    outcome: Outcome = state.outcome.result()
    return outcome


def _retry_after_of(outcome: Outcome) -> float | None:
    if not isinstance(outcome, httpx.Response):
        return None
    return parse_retry_after(outcome.headers.get("Retry-After"), utcnow())


def _outcome_fields(outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, httpx.Response):
        return {"status": outcome.status_code}
    return {"status": None, "error": type(outcome).__name__}


# A vendor's page of a thousand invoices runs to a few megabytes; far more than that, or
# nesting deeper than any vendor document, is a broken or hostile answer, not data.
MAX_VENDOR_JSON_BYTES = 64 * 1024 * 1024


def vendor_json(content: bytes | str, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """A vendor's JSON body, bounded in size and depth (ValueError when it is not JSON we read)."""
    return load_untrusted_json(content, max_bytes=MAX_VENDOR_JSON_BYTES, parse_float=parse_float)


def body_excerpt(response: httpx.Response, *secrets: str) -> str:
    """The start of the body for an error message, scrubbed of our credential and ``secrets``.

    Some APIs echo the request back in their error body; the Authorization value (and any
    token the caller names) must never reach an exception message, a log line or a stored
    sync report.
    """
    text = response.text
    credential = response.request.headers.get("Authorization", "")
    for secret in (credential.split(" ", 1)[-1], *secrets):
        if secret:
            text = text.replace(secret, "[redacted]")
    return text[:BODY_EXCERPT_CHARS]


class VendorClient(Closing):
    """The base of a vendor's typed client: it owns one :class:`VendorHTTP` as ``http``."""

    http: VendorHTTP

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent

    def close(self) -> None:
        self.http.close()
