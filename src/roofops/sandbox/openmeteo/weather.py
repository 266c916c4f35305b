"""Seeded weather that looks like weather: wet spells, windy fronts, cold snaps in winter.

Every value is a function of (seed, grid cell, date) alone, so a day's forecast is the same
whichever range or batch asked for it. Weather systems are regional: a 1° region shares one
sequence of spells and fronts (neighbouring job sites get rain together), computed per block
of :data:`BLOCK_DAYS` days from a generator seeded by (seed, region, block). Each cell adds a
little noise of its own.

The spell chain is a two-state Markov chain (wet stays wet with 0.6, dry turns wet with 0.2:
wet runs average 2.5 days, about one day in three is wet); the day a wet spell starts brings
its front's wind; in November to March a snap drops temperatures by 12-20 F for 2-5 days.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

BLOCK_DAYS = 32
WET_STAYS_WET = 0.6
DRY_TURNS_WET = 0.2
SNAP_CHANCE_PER_DAY = 0.06
WINTER_MONTHS = frozenset({11, 12, 1, 2, 3})
EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class RegionDay:
    """What the region's weather system does that day."""

    wet: bool
    front: bool  # a wet spell starts: the wind of its front
    windy: bool  # a dry windy day (a passing high's gradient)
    snap_f: float  # negative during a cold snap


@dataclass(frozen=True)
class CellDay:
    precipitation_sum: float
    precipitation_probability_max: int
    wind_speed_10m_max: float
    wind_gusts_10m_max: float
    temperature_2m_min: float
    temperature_2m_max: float


def cell_day(seed: int, latitude: float, longitude: float, on: date) -> CellDay:
    region = region_day(seed, math.floor(latitude), math.floor(longitude), on)
    noise = random.Random(f"{seed}:{latitude:.2f}:{longitude:.2f}:{on.isoformat()}")  # noqa: S311
    low, high = temperatures(latitude, on, region.snap_f, noise)
    rain_mm, chance = precipitation(region, noise)
    wind, gusts = winds(region, noise)
    return CellDay(rain_mm, chance, wind, gusts, low, high)


def region_day(seed: int, region_lat: int, region_lon: int, on: date) -> RegionDay:
    block, offset = divmod((on - EPOCH).days, BLOCK_DAYS)
    return _block(seed, region_lat, region_lon, block)[offset]


@lru_cache(maxsize=4096)
def _block(seed: int, region_lat: int, region_lon: int, block: int) -> tuple[RegionDay, ...]:
    draw = random.Random(f"{seed}:{region_lat}:{region_lon}:{block}")  # noqa: S311
    first_day = EPOCH + timedelta(days=block * BLOCK_DAYS)
    days: list[RegionDay] = []
    wet = draw.random() < 1 / 3
    snap_left, snap_depth = 0, 0.0
    for offset in range(BLOCK_DAYS):
        on = first_day + timedelta(days=offset)
        was_wet = wet
        wet = draw.random() < (WET_STAYS_WET if was_wet else DRY_TURNS_WET)
        if snap_left == 0 and on.month in WINTER_MONTHS and draw.random() < SNAP_CHANCE_PER_DAY:
            snap_left, snap_depth = draw.randint(2, 5), -draw.uniform(12.0, 20.0)
        snap = snap_depth if snap_left > 0 else 0.0
        snap_left = max(0, snap_left - 1)
        windy = not wet and draw.random() < 0.08
        days.append(RegionDay(wet, wet and not was_wet, windy, snap))
    return tuple(days)


def temperatures(
    latitude: float, on: date, snap_f: float, noise: random.Random
) -> tuple[float, float]:
    """A seasonal curve by latitude (warmest around 20 July), the snap, and cell noise."""
    absolute = abs(latitude)
    annual_mean = 100.0 - 1.1 * absolute
    amplitude = max(4.0, 0.5 * absolute - 3.0)
    season = math.cos(2 * math.pi * (on.timetuple().tm_yday - 201) / 365.25)
    if latitude < 0:
        season = -season
    mean = annual_mean + amplitude * season + snap_f + noise.uniform(-4.0, 4.0)
    spread = noise.uniform(8.0, 12.0)
    return round(mean - spread, 1), round(mean + spread, 1)


def precipitation(region: RegionDay, noise: random.Random) -> tuple[float, int]:
    """Wet days rain in earnest; a dry day may still show a small chance and a trace."""
    if region.wet:
        return round(noise.uniform(2.0, 25.0), 1), noise.randint(65, 100)
    if noise.random() < 0.25:
        return round(noise.uniform(0.1, 1.5), 1), noise.randint(20, 50)
    return 0.0, noise.randint(0, 15)


def winds(region: RegionDay, noise: random.Random) -> tuple[float, float]:
    if region.front or region.windy:
        sustained = noise.uniform(18.0, 32.0)
    else:
        sustained = noise.uniform(4.0, 15.0)
    return round(sustained, 1), round(sustained * noise.uniform(1.35, 1.7), 1)
