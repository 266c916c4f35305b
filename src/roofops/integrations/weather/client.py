"""Open-Meteo forecast client: daily weather for many grid cells, a few requests in all.

Open-Meteo takes comma-separated coordinate lists and answers a list of locations in the order
asked (see :mod:`roofops.integrations.weather.schemas` for the documented shape), so a refresh
of a few hundred job sites costs a handful of requests. No API key: the free tier limits by
request rate (600 a minute), which the limiter keeps us far below; a commercial key, if ever
needed, goes in the base URL's host (``customer-api.open-meteo.com``) and an ``apikey`` param.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from roofops.integrations.weather.schemas import (
    DAILY_VARIABLES,
    MAX_FORECAST_DAYS,
    ErrorBody,
    LocationForecast,
)
from roofops.kit.http import (
    DEFAULT_TIMEOUT,
    Clock,
    RateLimiter,
    RetryPolicy,
    VendorClient,
    VendorHTTP,
    VendorRequestError,
    VendorResponseError,
)

VENDOR = "open-meteo"
DEFAULT_BASE_URL = "https://api.open-meteo.com/v1/"
# Coordinates per request: ~20 characters each in the query string, so a URL stays well under
# the 8 KB many proxies allow.
MAX_LOCATIONS_PER_REQUEST = 100
Cell = tuple[float, float]
_LOCATIONS = TypeAdapter(list[LocationForecast])


def polite_limiter() -> RateLimiter:
    """Five requests a second at most: the free tier allows 600 a minute per address."""
    return RateLimiter(5.0, 5)


class OpenMeteoClient(VendorClient):
    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.api_key = api_key
        self.http = VendorHTTP(
            VENDOR,
            base_url,
            transport=transport,
            timeout=timeout,
            retry=retry,
            limiter=limiter or polite_limiter(),
            sleep=sleep,
            clock=clock,
            rng=rng,
        )

    def forecast(
        self, cells: Sequence[Cell], *, days: int, timezone: str
    ) -> list[LocationForecast]:
        """The daily forecast of each cell, in the order given (one request per 100 cells).

        ``timezone`` (an IANA name, or ``auto``) decides where each day starts; Open-Meteo
        requires it with daily variables. Raises a :class:`~roofops.kit.http.VendorError` if any
        request fails after its retries: the caller gets every cell or none.
        """
        if not 1 <= days <= MAX_FORECAST_DAYS:
            raise ValueError(f"Open-Meteo forecasts 1 to {MAX_FORECAST_DAYS} days, not {days}")
        answers: list[LocationForecast] = []
        for batch in batches(cells, MAX_LOCATIONS_PER_REQUEST):
            answers.extend(self._forecast_batch(batch, days, timezone))
        return answers

    def _forecast_batch(
        self, cells: Sequence[Cell], days: int, timezone: str
    ) -> list[LocationForecast]:
        try:
            response = self.http.request(
                "GET", "forecast", params=self._params(cells, days, timezone)
            )
        except VendorRequestError as refused:
            raise with_reason(refused) from refused
        locations = parse_locations(self.http.json(response))
        if len(locations) != len(cells):
            raise VendorResponseError(
                f"open-meteo answered {len(locations)} locations for {len(cells)} asked",
                vendor=VENDOR,
                status=response.status_code,
            )
        return locations

    def _params(self, cells: Sequence[Cell], days: int, timezone: str) -> dict[str, str]:
        params = forecast_params(cells, days, timezone)
        if self.api_key:
            params["apikey"] = self.api_key  # the commercial API's key (customer-api host)
        return params


def forecast_params(cells: Sequence[Cell], days: int, timezone: str) -> dict[str, str]:
    return {
        "latitude": ",".join(f"{latitude:.2f}" for latitude, _ in cells),
        "longitude": ",".join(f"{longitude:.2f}" for _, longitude in cells),
        "daily": ",".join(DAILY_VARIABLES),
        "temperature_unit": "fahrenheit",
        "wind_speed_unit": "mph",
        "timezone": timezone,
        "forecast_days": str(days),
    }


def parse_locations(payload: Any) -> list[LocationForecast]:
    """One location is an object, several a list of them (the documented switch)."""
    try:
        return _LOCATIONS.validate_python(payload if isinstance(payload, list) else [payload])
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False)
        first = problems[0] if problems else {"loc": (), "msg": "malformed"}
        where = ".".join(str(part) for part in first["loc"])
        raise VendorResponseError(
            f"open-meteo forecast is malformed at {where}: {first['msg']}",
            vendor=VENDOR,
            status=200,
        ) from exc


def with_reason(refused: VendorRequestError) -> VendorRequestError:
    """Open-Meteo says what was wrong in ``reason``: put it in the message people see."""
    try:
        reason = ErrorBody.model_validate_json(refused.body).reason
    except ValidationError:
        return refused
    message = f"{refused.message}: {reason}" if reason else refused.message
    return VendorRequestError(message, vendor=VENDOR, status=refused.status, body=refused.body)


def batches(cells: Sequence[Cell], size: int) -> Iterator[Sequence[Cell]]:
    for start in range(0, len(cells), size):
        yield cells[start : start + size]
