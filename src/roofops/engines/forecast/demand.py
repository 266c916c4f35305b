"""Crew demand per skill per week, bottom-up, against crew capacity.

Definitions (docs/forecasting-projections.md says them for people):

* a **crew-day** is one crew working one day on one job phase;
* **crew-hours** are crew-days times the paid hours of that crew's day (shift end minus shift
  start minus the break): clock hours of a crew, not person-hours. Scheduled days use the
  scheduled crew's hours; work not yet on a crew uses the average of the crews holding the skill.

Four components, simulated together (seeded) so the bands are those of their sum:

* ``scheduled``: the published plan's work days (certain);
* ``signed``: sold work not on the plan, its crew-days ending on a simulated finish day;
* ``pipeline``: open leads and estimates, each won with its calibrated probability;
* ``unsold``: work from leads not yet in the system: the series model's forecast of monthly
  crew-days, kept in the share that history shows came from leads younger than the days
  ahead (:func:`~roofops.engines.forecast.projection_sim.new_work_daily`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from roofops.engines.forecast.projection_sim import (
    Band,
    SeriesModel,
    add_to_periods,
    bands,
    daily_to_periods,
    new_work_daily,
    period_table,
    resample,
    week_starts,
)

COMPONENTS = ("scheduled", "signed", "pipeline", "unsold")
# A week is idle when even the optimistic demand (p90) fills less than this share of capacity.
IDLE_SHARE = 0.6


@dataclass(frozen=True)
class CrewCalendar:
    """When a crew works and for how long; ``skills`` are its production skills."""

    key: str
    skills: tuple[str, ...]
    iso_weekdays: frozenset[int]
    hours_per_day: float
    days_off: frozenset[date] = frozenset()


@dataclass(frozen=True)
class ScheduledDay:
    """One work day of the published plan."""

    skill: str
    day: date
    hours: float


@dataclass(frozen=True)
class OpenWork:
    """Crew-days of sold (``probability`` 1) or pipeline work not on the plan.

    ``finish_offsets`` are simulated finish days (offsets from the origin); the crew-days are
    the working days (Monday to Friday) ending on the finish day.
    """

    key: str
    skill: str
    crew_days: int
    hours_per_day: float
    finish_offsets: np.ndarray
    probability: float = 1.0

    @property
    def component(self) -> str:
        return "signed" if self.probability >= 1.0 else "pipeline"


@dataclass(frozen=True)
class UnsoldHistory:
    """One skill's crew-days produced per calendar month, oldest first, ending with the month
    before the origin's; ``age_cdf[d]``: the share of past crew-days whose lead had arrived at
    most ``d`` days before."""

    skill: str
    monthly_crew_days: np.ndarray
    age_cdf: np.ndarray
    hours_per_day: float
    lump: float = 0.0  # E[X^2] / E[X] of one job's crew-days X (see new_work_daily)


@dataclass(frozen=True)
class DemandInputs:
    as_of: date
    weeks: int
    scheduled: Sequence[ScheduledDay] = ()
    open_work: Sequence[OpenWork] = ()
    unsold: Sequence[UnsoldHistory] = ()
    crews: Sequence[CrewCalendar] = ()
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class SkillWeek:
    """One skill's week: demand bands, capacity, component means and the flags."""

    skill: str
    week_start: date
    hours: Band
    days: Band
    capacity_hours: float
    capacity_days: float
    # Sample means per component, in crew-hours and in crew-days.
    hour_components: Mapping[str, float] = field(default_factory=dict)
    day_components: Mapping[str, float] = field(default_factory=dict)

    @property
    def shortfall(self) -> bool:
        return self.hours.p50 > self.capacity_hours

    @property
    def idle(self) -> bool:
        return self.hours.p90 < IDLE_SHARE * self.capacity_hours


@dataclass(frozen=True)
class DemandForecast:
    as_of: date
    weeks: tuple[date, ...]
    rows: tuple[SkillWeek, ...]
    samples: int


def capacity(
    crews: Sequence[CrewCalendar], holidays: frozenset[date], as_of: date, weeks: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per skill, (crew-hours, crew-days) available per week from ``as_of`` on.

    A crew works its weekdays except holidays and its days off; a crew holding several
    production skills gives each an equal share of its days, so no day is counted twice.
    """
    starts = week_starts(as_of, weeks)
    end = starts[-1] + timedelta(days=7)
    result: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for crew in crews:
        days_worked = np.zeros(weeks)
        for offset in range((end - as_of).days):
            day = as_of + timedelta(days=offset)
            if _works(crew, day, holidays):
                days_worked[(day - starts[0]).days // 7] += 1
        for skill in crew.skills:
            hours, days = result.setdefault(skill, (np.zeros(weeks), np.zeros(weeks)))
            days += days_worked / len(crew.skills)
            hours += days_worked * crew.hours_per_day / len(crew.skills)
    return result


def _works(crew: CrewCalendar, day: date, holidays: frozenset[date]) -> bool:
    return (
        day.isoweekday() in crew.iso_weekdays and day not in holidays and day not in crew.days_off
    )


def forecast_demand(
    inputs: DemandInputs, series_model: SeriesModel, *, samples: int = 400, seed: int = 0
) -> DemandForecast:
    """Simulate each skill's weekly demand; quantiles of the summed components."""
    rng = np.random.default_rng(seed)
    starts = week_starts(inputs.as_of, inputs.weeks)
    table = period_table(inputs.as_of, starts, starts[-1] + timedelta(days=7))
    sims: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = defaultdict(dict)

    def cell(skill: str, component: str) -> tuple[np.ndarray, np.ndarray]:
        """(hours, days) sample matrices of one skill's component, made on first use."""
        if component not in sims[skill]:
            shape = (samples, inputs.weeks)
            sims[skill][component] = (np.zeros(shape), np.zeros(shape))
        return sims[skill][component]

    for day in inputs.scheduled:
        if inputs.as_of <= day.day < starts[-1] + timedelta(days=7):
            hours, days = cell(day.skill, "scheduled")
            week = (day.day - starts[0]).days // 7
            hours[:, week] += day.hours
            days[:, week] += 1
    for work in inputs.open_work:
        _simulate_work(work, inputs.as_of, table, cell(work.skill, work.component), rng)
    for history in inputs.unsold:
        daily = new_work_daily(
            history.monthly_crew_days,
            inputs.as_of,
            days=table.size,
            age_cdf=history.age_cdf,
            model=series_model,
            samples=samples,
            rng=rng,
            lump=history.lump,
        )
        hours, days = cell(history.skill, "unsold")
        days += daily_to_periods(daily, table, inputs.weeks)
        hours += daily_to_periods(daily * history.hours_per_day, table, inputs.weeks)
    available = capacity(inputs.crews, inputs.holidays, inputs.as_of, inputs.weeks)
    rows = [
        row
        for skill in sorted(set(sims) | set(available))
        for row in _skill_rows(skill, starts, sims[skill], available.get(skill), samples)
    ]
    return DemandForecast(inputs.as_of, starts, tuple(rows), samples)


def _simulate_work(
    work: OpenWork,
    as_of: date,
    table: np.ndarray,
    matrices: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> None:
    samples = matrices[0].shape[0]
    finish = resample(np.asarray(work.finish_offsets), samples, rng)
    won = np.asarray(rng.random(samples) < work.probability, dtype=float)
    hours, days = matrices
    for offset in _work_days_back(finish, work.crew_days, as_of.weekday()):
        add_to_periods(days, offset, won, table)
        add_to_periods(hours, offset, won * work.hours_per_day, table)


def _work_days_back(finish: np.ndarray, count: int, origin_weekday: int) -> list[np.ndarray]:
    """The ``count`` Monday-to-Friday offsets ending on or before each finish offset."""
    day = finish.copy()
    result = []
    for _ in range(max(1, count)):
        weekday = (origin_weekday + day) % 7
        day = day - np.where(weekday == 6, 2, np.where(weekday == 5, 1, 0))
        result.append(day.copy())
        day = day - 1
    return result


def _skill_rows(
    skill: str,
    starts: tuple[date, ...],
    components: Mapping[str, tuple[np.ndarray, np.ndarray]],
    available: tuple[np.ndarray, np.ndarray] | None,
    samples: int,
) -> list[SkillWeek]:
    weeks = len(starts)
    total_hours, total_days = np.zeros((samples, weeks)), np.zeros((samples, weeks))
    for hours, days in components.values():
        total_hours += hours
        total_days += days
    cap_hours, cap_days = available or (np.zeros(weeks), np.zeros(weeks))
    hour_means = {name: _means(components, name, 0, weeks) for name in COMPONENTS}
    day_means = {name: _means(components, name, 1, weeks) for name in COMPONENTS}
    return [
        SkillWeek(
            skill=skill,
            week_start=start,
            hours=hour_band,
            days=day_band,
            capacity_hours=float(cap_hours[week]),
            capacity_days=float(cap_days[week]),
            hour_components={name: float(hour_means[name][week]) for name in COMPONENTS},
            day_components={name: float(day_means[name][week]) for name in COMPONENTS},
        )
        for week, (start, hour_band, day_band) in enumerate(
            zip(starts, bands(total_hours), bands(total_days), strict=True)
        )
    ]


def _means(
    components: Mapping[str, tuple[np.ndarray, np.ndarray]], name: str, unit: int, weeks: int
) -> np.ndarray:
    """Per week, the sample mean of one component (unit 0: crew-hours, 1: crew-days)."""
    return components[name][unit].mean(axis=0) if name in components else np.zeros(weeks)
