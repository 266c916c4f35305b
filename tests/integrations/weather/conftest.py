"""One Open-Meteo fake on a real local port for the session; its faults are reset per test.

The fake's "today" is frozen at 7 December 2026 (a Monday), so forecast days are known. Retry
waits go to a manual clock the fake's storms also read: a 429 storm of five seconds ends after
five seconds of the client's (recorded, not slept) waiting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from roofops.integrations.weather.client import OpenMeteoClient
from roofops.kit.http import RateLimiter, RetryPolicy
from roofops.sandbox.clock import FakeClock
from roofops.sandbox.openmeteo.fake import FakeOpenMeteo
from roofops.sandbox.server import serving

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 10:00 in Denver
PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


class ManualClock:
    """Monotonic seconds that move only when the client waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture(scope="session")
def served_fake() -> Iterator[tuple[FakeOpenMeteo, str]]:
    fake = FakeOpenMeteo(seed=11, clock=FakeClock(NOW))
    with serving(fake.app()) as url:
        yield fake, url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(served_fake: tuple[FakeOpenMeteo, str], clock: ManualClock) -> Iterator[FakeOpenMeteo]:
    fake, _ = served_fake
    fake.monotonic = clock
    yield fake
    fake.calm()
    fake.faults.throttle = fake.faults.server_errors = 0
    fake.requests.clear()


@pytest.fixture
def base_url(served_fake: tuple[FakeOpenMeteo, str]) -> str:
    return f"{served_fake[1]}/v1/"


@pytest.fixture
def weather_client(
    fake: FakeOpenMeteo, base_url: str, clock: ManualClock
) -> Iterator[OpenMeteoClient]:
    """Retries wait on the manual clock for up to 60 s; no rate limit to slow the tests."""
    with OpenMeteoClient(
        base_url=base_url,
        retry=RetryPolicy(give_up_after=60.0),
        limiter=RateLimiter(1000.0, 1000),
        sleep=clock.sleep,
        clock=clock,
    ) as client:
        yield client
