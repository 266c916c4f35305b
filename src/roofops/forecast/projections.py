"""Crew demand and revenue projections, and their rolling-origin backtest.

Each entry point reads the history once (:mod:`roofops.forecast.projection_inputs`), rebuilds what
was known on the morning of ``as_of`` and hands plain rows to the pure engines
(:mod:`roofops.engines.forecast.demand`, ``revenue``, ``winprob``). The definitions (crew-hours,
invoiced revenue) and how the parts decide: docs/forecasting-projections.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from roofops.engines.forecast import demand as demand_engine
from roofops.engines.forecast import revenue as revenue_engine
from roofops.forecast.completion import CompletionResult
from roofops.forecast.projection_calibration import (
    Calibration,
    calibrate,
    calibrated_demand,
    calibrated_revenue,
)
from roofops.forecast.projection_inputs import load_history, plan_days_at
from roofops.forecast.projection_model import DEFAULT_HOURS_PER_DAY, ProjectionWorld, world_at
from roofops.forecast.results import ForecastSeries, ModelMetrics, SeriesPoint, Unit

DEMAND_SOURCE = (
    "production history (past weeks); published dispatch plan, signed jobs on the completion "
    "forecast, open estimates weighted by win probability, and a series forecast of work not "
    "yet sold; capacity from crew calendars"
)
REVENUE_SOURCE = (
    "invoices by issue date (past); contracted backlog on the completion forecast plus the "
    "invoicing lag, weighted pipeline, and a run-rate series forecast (future)"
)
PAST_WEEKS = 12
PAST_MONTHS = 6


def forecast_demand(
    db: Session,
    as_of: date,
    completions: CompletionResult,
    *,
    weeks: int = 12,
    seed: int = 0,
    calibration: Calibration | None = None,
) -> tuple[ForecastSeries, ...]:
    """Crew-hours and crew-days needed and available per skill per week (Mondays); the bands
    calibrated by ``calibration`` (default: learned here, see :func:`calibrate_projections`)."""
    history = load_history(db)
    world = world_at(history, as_of, completions.finish_samples, plan_days_at(db, as_of, history))
    calibration = calibration or calibrate(db, history, as_of, seed=seed)
    forecast = calibrated_demand(world.demand(weeks=weeks, seed=seed), calibration.demand)
    skills = sorted({row.skill for row in forecast.rows})
    past = PastWork(world.past_crew_days(skills, PAST_WEEKS), world.hours_per_day)
    return demand_series(forecast, calibration.describe(calibration.demand), past)


def forecast_revenue(
    db: Session,
    as_of: date,
    completions: CompletionResult,
    *,
    seed: int = 0,
    calibration: Calibration | None = None,
) -> tuple[ForecastSeries, ...]:
    """Invoiced revenue by week (12) and month (6): past actuals, then p10/p50/p90 bands
    calibrated by ``calibration`` (default: learned here)."""
    history = load_history(db)
    world = world_at(history, as_of, completions.finish_samples, ())
    calibration = calibration or calibrate(db, history, as_of, seed=seed)
    return revenue_series(
        world, calibrated_revenue(world.revenue(seed=seed), calibration), calibration
    )


@dataclass(frozen=True)
class PastWork:
    """Crew-days worked per skill in the weeks before the origin, and the crew-hours of a
    crew-day per skill (which crew did past work is not kept: the skill's active crews' mean)."""

    crew_days: Mapping[str, Sequence[tuple[date, float]]] = field(default_factory=dict)
    hours_per_day: Mapping[str, float] = field(default_factory=dict)

    def points(self, skill: str, unit: Unit) -> tuple[SeriesPoint, ...]:
        hours = (
            self.hours_per_day.get(skill, DEFAULT_HOURS_PER_DAY) if unit == Unit.CREW_HOURS else 1.0
        )
        return tuple(
            SeriesPoint(start, actual=days * hours) for start, days in self.crew_days.get(skill, ())
        )


def calibrate_projections(db: Session, as_of: date, *, seed: int = 0) -> Calibration:
    """The band factors of demand and revenue learned from forecasts at past origins (a run
    learns them once and hands them to both entry points)."""
    return calibrate(db, load_history(db), as_of, seed=seed)


def demand_series(
    result: demand_engine.DemandForecast, calibration: str = "", past: PastWork | None = None
) -> tuple[ForecastSeries, ...]:
    """The demand and capacity series; ``calibration`` says how the bands were calibrated,
    ``past`` gives the demand series the weeks before the origin as actuals."""
    series: list[ForecastSeries] = []
    worked = past or PastWork()
    for skill in sorted({row.skill for row in result.rows}):
        rows = [row for row in result.rows if row.skill == skill]
        series += [
            _demand(skill, rows, Unit.CREW_HOURS, calibration, worked),
            _capacity(skill, rows, Unit.CREW_HOURS),
            _demand(skill, rows, Unit.CREW_DAYS, calibration, worked),
            _capacity(skill, rows, Unit.CREW_DAYS),
        ]
    return tuple(series)


def _skill_label(skill: str) -> str:
    return skill.replace("_", " ")


def _demand(
    skill: str,
    rows: Sequence[demand_engine.SkillWeek],
    unit: Unit,
    calibration: str,
    past: PastWork,
) -> ForecastSeries:
    hours = unit == Unit.CREW_HOURS
    points = past.points(skill, unit) + tuple(
        SeriesPoint(
            period_start=row.week_start,
            p10=(band := row.hours if hours else row.days).p10,
            p50=band.p50,
            p90=band.p90,
            components={
                **(row.hour_components if hours else row.day_components),
                "capacity": row.capacity_hours if hours else row.capacity_days,
                "shortfall": row.shortfall,
                "idle": row.idle,
            },
        )
        for row in rows
    )
    measure = "crew_hours" if hours else "crew_days"
    return ForecastSeries(
        key=f"demand.{measure}.{skill}",
        label=f"{_skill_label(skill).capitalize()} work needed ({measure.replace('_', '-')})",
        unit=unit,
        period="week",
        points=points,
        definition=(
            f"{measure.replace('_', '-').capitalize()} of {_skill_label(skill)} work per week: "
            "scheduled + signed + pipeline (x win probability) + not yet sold; p10-p90 band. "
            "A crew-day is one crew working one day; crew-hours are crew-days x that crew's "
            "shift minus break. Past weeks are actuals: the crew-days of production completed "
            "by the as-of day (working days from in production to completed; crew-hours at the "
            "skill's average shift). Shortfall: p50 above capacity; idle: p90 below "
            f"{demand_engine.IDLE_SHARE:.0%} of capacity. {calibration}"
        ).strip(),
        source=DEMAND_SOURCE,
    )


def _capacity(skill: str, rows: Sequence[demand_engine.SkillWeek], unit: Unit) -> ForecastSeries:
    hours = unit == Unit.CREW_HOURS
    measure = "crew_hours" if hours else "crew_days"
    values = [row.capacity_hours if hours else row.capacity_days for row in rows]
    return ForecastSeries(
        key=f"capacity.{measure}.{skill}",
        label=f"{_skill_label(skill).capitalize()} capacity ({measure.replace('_', '-')})",
        unit=unit,
        period="week",
        points=tuple(
            SeriesPoint(row.week_start, p10=v, p50=v, p90=v)
            for row, v in zip(rows, values, strict=True)
        ),
        definition=(
            f"{measure.replace('_', '-').capitalize()} the crews holding the {_skill_label(skill)} "
            "skill can work per week from the as-of day: working weekdays minus holidays and time "
            "off; a crew with several skills splits its days evenly among them."
        ),
        source="crew calendars (working days, shift, break), crew time off, company holidays",
    )


def revenue_series(
    world: ProjectionWorld,
    result: revenue_engine.RevenueForecast,
    calibration: Calibration | None = None,
) -> tuple[ForecastSeries, ...]:
    """The weekly and monthly revenue series; ``calibration`` says how the bands were
    calibrated."""
    said = calibration or Calibration()
    weekly = _revenue(
        "week", world.past_weeks(PAST_WEEKS), result.weeks, said.describe(said.weekly)
    )
    monthly = _revenue(
        "month", world.past_months(PAST_MONTHS), result.months, said.describe(said.monthly)
    )
    return (weekly, monthly)


def _revenue(
    period: str,
    past: Sequence[tuple[date, float]],
    future: Sequence[revenue_engine.RevenuePeriod],
    calibration: str,
) -> ForecastSeries:
    points = tuple(SeriesPoint(start, actual=cents) for start, cents in past) + tuple(
        SeriesPoint(
            p.start, p10=p.band.p10, p50=p.band.p50, p90=p.band.p90, components=p.components
        )
        for p in future
    )
    return ForecastSeries(
        key=f"revenue.{period}",
        label=f"Revenue by {period}",
        unit=Unit.CENTS,
        period="week" if period == "week" else "month",
        points=points,
        definition=(
            "Invoiced revenue: invoice totals by issue date (not cash received). Past periods "
            "are actuals; future ones are backlog (contract minus invoiced, on the predicted "
            "finish plus the invoicing lag) + pipeline (x win probability) + run rate for work "
            "not yet sold, as a p10-p90 band. The first future period counts from the as-of day. "
            f"{calibration}"
        ),
        source=REVENUE_SOURCE,
    )


def backtest_projections(
    db: Session, *, origins: Sequence[date] | None = None, seed: int = 0
) -> tuple[ModelMetrics, ...]:
    """Rolling-origin backtest of the demand, revenue and win-probability models."""
    from roofops.forecast.projection_backtest import run_backtest

    return run_backtest(db, origins=origins, seed=seed)
