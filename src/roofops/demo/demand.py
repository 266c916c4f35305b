"""When leads arrive: a seasonal baseline per job type plus insurance-lead surges after hail.

Shark-fin seasonality (flat Jan-Mar, climbing from April, peak Jun-Oct), repairs and gutters
filling the winter, and a few hail events each May-Aug, each followed by 6-10 weeks of storm
leads that peak about a week after the storm.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from roofops.demo.catalog import CITIES, KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON, City
from roofops.demo.records import HailEvent

STORM = "storm"
# Relative monthly lead rates, January first.
MONTHLY: dict[str, tuple[float, ...]] = {
    "reroof": (0.35, 0.4, 0.55, 0.85, 1.05, 1.25, 1.3, 1.3, 1.25, 1.1, 0.6, 0.4),
    "repair": (1.15, 1.05, 0.9, 0.85, 0.9, 0.95, 0.95, 0.95, 0.9, 0.9, 1.0, 1.15),
    "inspection": (0.7, 0.8, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.6),
    "gutters": (0.4, 0.5, 0.8, 1.1, 1.1, 1.0, 0.9, 0.9, 1.2, 1.4, 1.0, 0.5),
    "new_construction": (0.6, 0.7, 0.9, 1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.0, 0.8, 0.6),
}
BASE_SHARE = {
    "reroof": 0.40,
    "repair": 0.30,
    "inspection": 0.10,
    "gutters": 0.15,
    "new_construction": 0.05,
}
WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 0.95, 0.5, 0.3)
# A storm's lead rate at its peak, relative to an average day's baseline.
STORM_PEAK = 3.5
STORM_PEAK_DAY = 7.0
STORM_TAIL_DAYS = 70
HAIL_MONTH_START = (5, 1)
HAIL_SEASON_DAYS = 122


@dataclass(frozen=True)
class LeadSlot:
    day: date
    kind: str
    hail: HailEvent | None


def hail_events(rng: random.Random, start: date, end: date) -> list[HailEvent]:
    """Two to four hail events per season between ``start`` and ``end`` (exclusive)."""
    events: list[HailEvent] = []
    for year in range(start.year, end.year + 1):
        season = date(year, *HAIL_MONTH_START)
        for _ in range(rng.choice((2, 3, 3, 4))):
            day = season + timedelta(days=int(rng.betavariate(2.0, 3.2) * HAIL_SEASON_DAYS))
            intensity = min(2.5, max(0.4, rng.lognormvariate(0.0, 0.45)))
            event = HailEvent(day, round(intensity, 3), _swath(rng))
            if start <= day < end:
                events.append(event)
    return sorted(events, key=lambda event: event.day)


def _swath(rng: random.Random) -> tuple[str, ...]:
    centre = rng.choices(CITIES, weights=[city.weight for city in CITIES])[0]
    radius = rng.uniform(8.0, 22.0)
    return tuple(city.name for city in CITIES if _km(centre, city) <= radius)


def _km(a: City, b: City) -> float:
    return math.hypot(
        (a.latitude - b.latitude) * KM_PER_DEGREE_LAT,
        (a.longitude - b.longitude) * KM_PER_DEGREE_LON,
    )


def storm_shape(days_after: int) -> float:
    """Storm leads after a hail event: a gamma-like hump peaking after a week, gone by week 10."""
    if days_after < 0 or days_after > STORM_TAIL_DAYS:
        return 0.0
    x = days_after / STORM_PEAK_DAY
    return x * math.exp(1.0 - x)


def backlog_days(day: date, hail: list[HailEvent]) -> float:
    """Extra wait for a crew: the storm work sold 1-3 months earlier fills every calendar."""
    load = 0.0
    for event in hail:
        t = (day - event.day).days
        if 0 <= t <= 40:
            load += event.intensity * t / 40
        elif 40 < t <= 110:
            load += event.intensity * (110 - t) / 70
    return 16.0 * load


def lead_slots(
    rng: random.Random, count: int, start: date, end: date, hail: list[HailEvent]
) -> list[LeadSlot]:
    """``count`` leads on days in [start, end), drawn from baseline and storm rates."""
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    buckets: list[tuple[date, str]] = []
    weights: list[float] = []
    for day in days:
        for kind, weight in _day_weights(day, hail).items():
            buckets.append((day, kind))
            weights.append(weight)
    picks = rng.choices(range(len(buckets)), weights=weights, k=count)
    return [_slot(rng, *buckets[pick], hail) for pick in picks]


def _day_weights(day: date, hail: list[HailEvent]) -> dict[str, float]:
    weekday = WEEKDAY_FACTOR[day.weekday()]
    weights = {
        kind: BASE_SHARE[kind] * MONTHLY[kind][day.month - 1] * weekday for kind in BASE_SHARE
    }
    storm = sum(event.intensity * storm_shape((day - event.day).days) for event in hail)
    weights[STORM] = STORM_PEAK * storm * max(weekday, 0.6)
    return weights


def _slot(rng: random.Random, day: date, kind: str, hail: list[HailEvent]) -> LeadSlot:
    if kind != STORM:
        return LeadSlot(day, kind, None)
    active = [event for event in hail if storm_shape((day - event.day).days) > 0]
    shares = [event.intensity * storm_shape((day - event.day).days) for event in active]
    return LeadSlot(day, STORM, rng.choices(active, weights=shares)[0])
