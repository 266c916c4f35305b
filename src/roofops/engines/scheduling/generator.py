"""Seeded, realistic scheduling instances for benchmarks and tests.

A metro area about 40 km across with three yards; most jobs are asphalt shingle, the rest
metal, tile or low-slope; a share gets a gutters phase after the install; materials arrive over
the first part of the horizon and customers were promised a date one to three weeks after;
rain days differ by quadrant of the metro; a few crews have days off.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from roofops.engines.scheduling.model import CrewSpec, Point, ScheduleProblem, TaskSpec

METRO: Point = (32.78, -96.80)
YARDS: tuple[Point, ...] = ((32.90, -96.75), (32.70, -96.95), (32.72, -96.62))
MATERIALS = (("asphalt", 0.65), ("low_slope", 0.15), ("metal", 0.12), ("tile", 0.08))
EXTRA_SKILLS = (("metal", 0.35), ("tile", 0.25), ("low_slope", 0.35), ("gutters", 0.40))
GUTTERS_SHARE = 0.15
KM_PER_DEGREE = 111.0


@dataclass(frozen=True)
class InstanceSize:
    """How big a generated instance is, and its seed."""

    jobs: int
    crews: int
    days: int
    seed: int = 42
    first_day: date = date(2026, 3, 2)

    def __post_init__(self) -> None:
        if self.jobs < 1 or self.crews < 1 or self.days < 5:
            raise ValueError("at least 1 job, 1 crew and 5 working days")


def generate(size: InstanceSize) -> ScheduleProblem:
    """A seeded instance: the same size and seed give the same problem.

    Parameters
    ----------
    size : InstanceSize
        Jobs, crews, working days and the seed.

    Returns
    -------
    ScheduleProblem
        Crews with skills, yards and time off; install (and gutters) tasks with squares,
        materials days, promised days, priorities and rain days; nothing published.
    """
    rng = random.Random(size.seed)  # noqa: S311 (test data)
    days = _working_days(size.first_day, size.days)
    crews = tuple(_crew(rng, index, size.days) for index in range(size.crews))
    crews = _cover_every_skill(crews)
    rain = _rain_by_quadrant(rng, size.days)
    tasks = tuple(task for index in range(size.jobs) for task in _job(rng, index, size.days, rain))
    return ScheduleProblem(days=days, crews=crews, tasks=tasks)


def _working_days(first: date, count: int) -> tuple[date, ...]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def _crew(rng: random.Random, index: int, horizon: int) -> CrewSpec:
    skills = {"asphalt"} | {skill for skill, share in EXTRA_SKILLS if rng.random() < share}
    unavailable: frozenset[int] = frozenset()
    if rng.random() < 0.2:
        first = rng.randrange(horizon - 3)
        unavailable = frozenset(range(first, first + rng.randint(1, 3)))
    return CrewSpec(
        id=f"crew-{index + 1:02d}",
        name=f"Crew {index + 1}",
        skills=frozenset(skills),
        squares_per_day=float(rng.randint(15, 35)),
        home=YARDS[index % len(YARDS)],
        unavailable=unavailable,
    )


def _cover_every_skill(crews: tuple[CrewSpec, ...]) -> tuple[CrewSpec, ...]:
    """Give each extra skill to at least one crew, so the generator makes no impossible job."""
    covered = list(crews)
    for offset, (skill, _share) in enumerate(EXTRA_SKILLS):
        if not any(skill in crew.skills for crew in covered):
            index = offset % len(covered)
            crew = covered[index]
            covered[index] = CrewSpec(
                crew.id, crew.skills | {skill}, crew.squares_per_day, crew.home,
                crew.unavailable, crew.name,
            )  # fmt: skip
    return tuple(covered)


def _rain_by_quadrant(rng: random.Random, horizon: int) -> dict[tuple[bool, bool], set[int]]:
    """A few metro-wide storms plus a few showers per quadrant."""
    storms = set(rng.sample(range(horizon), k=max(1, horizon // 20)))
    quadrants = [(north, east) for north in (False, True) for east in (False, True)]
    return {q: storms | set(rng.sample(range(horizon), k=max(1, horizon // 15))) for q in quadrants}


def _job(
    rng: random.Random, index: int, horizon: int, rain: dict[tuple[bool, bool], set[int]]
) -> list[TaskSpec]:
    job_id = f"job-{index + 1:03d}"
    site = _site(rng)
    material = rng.choices([m for m, _ in MATERIALS], weights=[w for _, w in MATERIALS])[0]
    earliest = rng.randrange(max(1, int(horizon * 0.6)))
    promised = min(horizon - 1, earliest + rng.randint(3, 12))
    priority = rng.choices([1, 2, 3], weights=[75, 20, 5])[0]
    weather = dict.fromkeys(sorted(rain[(site[0] > METRO[0], site[1] > METRO[1])]), "rain")
    install = TaskSpec(
        id=f"{job_id}/install",
        job_id=job_id,
        phase="install",
        required_skills=frozenset({material}),
        site=site,
        squares=float(round(10 + 50 * rng.betavariate(1.0, 8.0))),
        earliest=earliest,
        promised=promised,
        priority=priority,
        forbidden_days=weather,
    )
    if rng.random() >= GUTTERS_SHARE:
        return [install]
    gutters = TaskSpec(
        id=f"{job_id}/gutters",
        job_id=job_id,
        phase="gutters",
        required_skills=frozenset({"gutters"}),
        site=site,
        duration_days=1,
        earliest=earliest,
        promised=min(horizon - 1, promised + 2),
        priority=priority,
        predecessors=(install.id,),
        forbidden_days=weather,
    )
    return [install, gutters]


def _site(rng: random.Random) -> Point:
    """A house within about 25 km of downtown, denser towards the centre."""
    radius_km = 25 * rng.random() ** 0.7
    bearing = rng.uniform(0, 2 * math.pi)
    lat = METRO[0] + radius_km * math.cos(bearing) / KM_PER_DEGREE
    lon = METRO[1] + radius_km * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(32.8)))
    return (round(lat, 5), round(lon, 5))
