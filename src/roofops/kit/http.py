"""The base of every vendor client: timeouts, retries, Retry-After, rate limits, typed errors.

Vendor SDKs get these wrong in ways that cause outages (no timeouts, no 429 handling, retries that
ignore ``Retry-After``), so every client we write sits on :class:`VendorHTTP` instead.

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
from types import TracebackType
from typing import Any, Self

import httpx

from roofops.exceptions import RoofOpsError
from roofops.kit.time import utcnow
from roofops.logging import get_logger

log = get_logger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
BODY_EXCERPT_CHARS = 500
USER_AGENT = "roofops/0.1"

EventHook = Callable[..., Any]
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


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts every try, the first included."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must not be negative")

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
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
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


class VendorHTTP:
    """One ``httpx.Client`` for one vendor connection, with retries and typed errors."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        headers: Mapping[str, str] | None = None,
        event_hooks: Mapping[str, list[EventHook]] | None = None,
    ) -> None:
        self.vendor = vendor
        self.retry = retry or RetryPolicy()
        self.limiter = limiter
        self.requests_sent = 0
        self._count_lock = threading.Lock()  # one connection's client may serve several threads
        self._sleep = sleep
        # Jitter only needs to differ between processes; tests pass a seeded Random.
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not cryptography)
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
        for attempt in range(1, self.retry.attempts + 1):
            outcome = self._send(method, path, params=params, json=json, data=data, headers=headers)
            if not self._retryable(outcome):
                return self._checked(outcome)
            if attempt == self.retry.attempts:
                break
            self._wait_before_retry(method, path, attempt, outcome)
        cause = outcome if isinstance(outcome, httpx.TransportError) else None
        raise self._gave_up(outcome) from cause

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def json(self, response: httpx.Response) -> Any:
        """The decoded body, or a typed error: a proxy's HTML page must not escape as ValueError."""
        try:
            return response.json()
        except ValueError as exc:
            raise VendorResponseError(
                f"{self.vendor} answered with a body that is not JSON",
                vendor=self.vendor,
                status=response.status_code,
                body=_body_excerpt(response),
            ) from exc

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response | httpx.TransportError:
        if self.limiter is not None:
            self.limiter.acquire()
        with self._count_lock:
            self.requests_sent += 1
        try:
            return self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            return exc

    def _retryable(self, outcome: httpx.Response | httpx.TransportError) -> bool:
        if isinstance(outcome, httpx.Response):
            return outcome.status_code in self.retry.retry_statuses
        return isinstance(outcome, TRANSIENT_ERRORS)

    def _wait_before_retry(
        self,
        method: str,
        path: str,
        attempt: int,
        outcome: httpx.Response | httpx.TransportError,
    ) -> None:
        retry_after = _retry_after_of(outcome)
        delay = self.retry.delay(attempt, retry_after, self._rng)
        log.info(
            "http.retry",
            vendor=self.vendor,
            method=method,
            path=path,
            attempt=attempt,
            delay=round(delay, 3),
            retry_after=retry_after,
            **_outcome_fields(outcome),
        )
        self._sleep(delay)

    def _checked(self, outcome: httpx.Response | httpx.TransportError) -> httpx.Response:
        if isinstance(outcome, httpx.TransportError):
            raise self._unreachable(outcome) from outcome
        if outcome.status_code < 400:
            return outcome
        raise self._error_for(outcome)

    def _gave_up(self, outcome: httpx.Response | httpx.TransportError) -> VendorError:
        log.warning(
            "http.gave_up",
            vendor=self.vendor,
            attempts=self.retry.attempts,
            **_outcome_fields(outcome),
        )
        if isinstance(outcome, httpx.Response):
            return self._error_for(outcome)
        return self._unreachable(outcome)

    def _unreachable(self, error: httpx.TransportError) -> VendorUnavailable:
        return VendorUnavailable(
            f"{self.vendor} did not answer: {type(error).__name__}",
            vendor=self.vendor,
            status=None,
        )

    def _error_for(self, response: httpx.Response) -> VendorError:
        status = response.status_code
        body = _body_excerpt(response)
        message = f"{self.vendor} answered HTTP {status}"
        if status in (401, 403):
            return VendorAuthError(message, vendor=self.vendor, status=status, body=body)
        if status == 429:
            retry_after = _retry_after_of(response)
            return VendorRateLimited(
                message, vendor=self.vendor, status=status, body=body, retry_after=retry_after
            )
        if status >= 500:
            return VendorUnavailable(message, vendor=self.vendor, status=status, body=body)
        return VendorRequestError(message, vendor=self.vendor, status=status, body=body)


def _retry_after_of(outcome: httpx.Response | httpx.TransportError) -> float | None:
    if not isinstance(outcome, httpx.Response):
        return None
    return parse_retry_after(outcome.headers.get("Retry-After"), utcnow())


def _outcome_fields(outcome: httpx.Response | httpx.TransportError) -> dict[str, Any]:
    if isinstance(outcome, httpx.Response):
        return {"status": outcome.status_code}
    return {"status": None, "error": type(outcome).__name__}


def _body_excerpt(response: httpx.Response) -> str:
    """The start of the body for the error message, scrubbed of our own credential.

    Some APIs echo the request back in their error body; the Authorization value must never
    reach an exception message, a log line or a stored sync report.
    """
    text = response.text
    credential = response.request.headers.get("Authorization", "")
    secret = credential.split(" ", 1)[-1]
    if secret:
        text = text.replace(secret, "[redacted]")
    return text[:BODY_EXCERPT_CHARS]
