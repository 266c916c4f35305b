"""The projections' view of one origin: the history known on the morning of ``as_of`` turned
into the engines' plain inputs (open work, past production, money, crews, win probabilities).

Nothing here reads the database: :func:`world_at` takes the loaded :class:`History`, so the
backtest builds one world per origin from a single read.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise

import numpy as np

from roofops.engines.forecast import demand as demand_engine
from roofops.engines.forecast import revenue as revenue_engine
from roofops.engines.forecast.projection_sim import (
    monday_of,
    month_starts,
    months_between,
    next_month,
    remaining_days,
    resample,
)
from roofops.engines.forecast.winprob import WinExample, WinFeatures, WinModel, fit_win_model
from roofops.forecast.projection_inputs import (
    LOST,
    PRE_SALE,
    SOLD_OPEN,
    History,
    JobFacts,
    Money,
    PlannedDay,
    S,
)

SAMPLES = 400
# A lead this old is nearly always decided: training only on these keeps the still-open ones
# (excluded, their outcome unknown) from tilting the sample towards quick decisions.
DECIDED_AFTER = timedelta(days=60)
# Training snapshots: the job as it looked this many days into each pre-sale stage.
SNAPSHOT_DAYS = (0, 7, 21)
DEFAULT_HOURS_PER_DAY = 8.0
DEFAULT_SQUARES_PER_DAY = 20
# Days ahead for which the share of work from not-yet-arrived leads is learned.
AGE_DAYS = 400
# The history's first months lack the work of leads from before it began: left out of the
# monthly series the series model learns from.
WARM_UP = timedelta(days=120)


@dataclass(frozen=True)
class Produced:
    """A finished production job: its skill, the day its lead arrived and its working days."""

    skill: str
    lead_day: date
    days: tuple[date, ...]
    squares: float


def working_days(first: date, last: date) -> tuple[date, ...]:
    """Monday-to-Friday days from ``first`` to ``last``, both included."""
    span = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return tuple(day for day in span if day.weekday() < 5)


def produced(history: History, before: date | None = None) -> tuple[Produced, ...]:
    """Production jobs started and completed (before ``before`` when given)."""
    rows = []
    for facts in history.jobs:
        start, phases = facts.first(S.IN_PRODUCTION, before), facts.phases
        end = facts.first(S.COMPLETED, before)
        if start is None or end is None or end < start or not phases:
            continue
        days = working_days(start, end) or (start,)
        rows.append(Produced(phases[0].skill, facts.lead_day, days, float(facts.job.squares or 0)))
    return tuple(rows)


def weekly_crew_days(history: History, before: date) -> dict[tuple[str, date], float]:
    """Crew-days production took per (skill, week's Monday), of the jobs completed before
    ``before``: what the history shows that morning."""
    totals: dict[tuple[str, date], float] = defaultdict(float)
    for row in produced(history, before):
        for day in row.days:
            totals[(row.skill, monday_of(day))] += 1
    return totals


def age_cdf(ages: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """For each ``d`` below AGE_DAYS, the weighted share of past amounts (crew-days, cents)
    whose lead had arrived at most ``d`` days before."""
    total = float(weights.sum())
    if not total:
        return np.ones(1)
    order = np.argsort(ages, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(weights[order])])
    reached = np.searchsorted(ages[order], np.arange(AGE_DAYS), side="right")
    return np.asarray(cumulative[reached] / total)


def lump(amounts: np.ndarray) -> float:
    """E[X^2] / E[X] of past amounts per job (crew-days, cents): how lumpy new work is."""
    return float((amounts**2).sum() / amounts.sum()) if amounts.size and amounts.sum() else 0.0


def monthly_totals(amounts: Sequence[tuple[date, float]], first: date, as_of: date) -> np.ndarray:
    """Totals per calendar month from ``first`` (a month start) to the month before the
    origin's; amounts outside are left out."""
    count = max(0, months_between(first, as_of.replace(day=1)))
    totals = np.zeros(count)
    for day, value in amounts:
        index = (day.year - first.year) * 12 + day.month - first.month
        if 0 <= index < count:
            totals[index] += value
    return totals


def series_model(
    y: np.ndarray, horizon: int, season: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The project's series model (roofops.engines.forecast.series): mean and 80 % interval."""
    from roofops.engines.forecast.series import forecast_series

    result = forecast_series(y, horizon, season_length=season, levels=(80,))
    return result.mean, result.lower[80], result.upper[80]


@dataclass(frozen=True)
class ProjectionWorld:
    history: History
    as_of: date
    finishes: Mapping[uuid.UUID, np.ndarray]
    plan: tuple[PlannedDay, ...]

    @cached_property
    def stages(self) -> dict[uuid.UUID, tuple[S, date]]:
        """Each job known at the origin: its stage then and the day it entered it."""
        result = {}
        for facts in self.history.jobs:
            move = facts.stage_at(self.as_of)
            if move is not None:
                result[facts.id] = (move.stage, move.day)
        return result

    def open_jobs(self, stages: frozenset[S]) -> list[JobFacts]:
        return [self.history.by_id[i] for i, (stage, _) in self.stages.items() if stage in stages]

    @cached_property
    def production(self) -> tuple[Produced, ...]:
        return produced(self.history, self.as_of)

    @cached_property
    def win_model(self) -> WinModel:
        return fit_win_model(win_examples(self.history, self.as_of))

    @cached_property
    def win_probabilities(self) -> dict[uuid.UUID, float]:
        jobs = self.open_jobs(PRE_SALE)
        features = [self.features_now(facts) for facts in jobs]
        probabilities = self.win_model.predict(features)
        return {facts.id: float(p) for facts, p in zip(jobs, probabilities, strict=True)}

    def features_now(self, facts: JobFacts) -> WinFeatures:
        stage, since = self.stages[facts.id]
        return _features(facts, stage, (self.as_of - since).days, self.as_of)

    # ----- timing -------------------------------------------------------------------------
    @cached_property
    def durations(self) -> dict[tuple[str, bool], np.ndarray]:
        """Past (job type, sold) -> days from signing (sold) or lead (not) to completion."""
        found: dict[tuple[str, bool], list[int]] = defaultdict(list)
        for facts in self.history.jobs:
            done, signed = facts.first(S.COMPLETED, self.as_of), facts.first(S.CONTRACT_SIGNED)
            if done is None or signed is None:
                continue
            found[(facts.job.job_type.value, True)].append((done - signed).days)
            found[(facts.job.job_type.value, False)].append((done - facts.lead_day).days)
        return {key: np.array(days) for key, days in found.items()}

    def finish_offsets(self, facts: JobFacts, rng: np.random.Generator) -> np.ndarray:
        """The completion model's simulated finish days; for a job it did not cover, the past
        durations of its job type conditional on the time already elapsed."""
        if facts.id in self.finishes:
            return resample(np.asarray(self.finishes[facts.id]), SAMPLES, rng)
        stage, _ = self.stages[facts.id]
        sold = stage not in PRE_SALE
        since = facts.first(S.CONTRACT_SIGNED, self.as_of) if sold else facts.lead_day
        durations = self.durations.get((facts.job.job_type.value, sold))
        if durations is None:
            durations = np.concatenate(
                [d for (_, s), d in self.durations.items() if s == sold] or [np.array([14])]
            )
        return remaining_days(durations, (self.as_of - (since or self.as_of)).days, SAMPLES, rng)

    # ----- demand -------------------------------------------------------------------------
    @cached_property
    def hours_per_day(self) -> dict[str, float]:
        by_skill: dict[str, list[float]] = defaultdict(list)
        for crew in self.history.crews_at(self.as_of):
            for skill in crew.skills:
                by_skill[skill].append(crew.hours_per_day)
        return {skill: float(np.mean(hours)) for skill, hours in by_skill.items()}

    @cached_property
    def days_per_square(self) -> dict[str, float]:
        """Past crew-days per square by skill (how long a roof of this size took)."""
        days: dict[str, float] = defaultdict(float)
        squares: dict[str, float] = defaultdict(float)
        for row in self.production:
            if row.squares > 0:
                days[row.skill] += len(row.days)
                squares[row.skill] += row.squares
        return {skill: days[skill] / squares[skill] for skill in days}

    def crew_days(self, skill: str, squares: float, fixed: int | None) -> int:
        """A phase's crew-days: as set on the job, else from its squares at the past pace of
        the skill (with no past, the rated squares per day of the crews holding it)."""
        if fixed is not None:
            return fixed
        ratio = self.days_per_square.get(skill)
        if ratio is None:
            rated = [
                c.squares_per_day for c in self.history.crews_at(self.as_of) if skill in c.skills
            ]
            ratio = 1 / (float(np.mean(rated)) if rated else DEFAULT_SQUARES_PER_DAY)
        return max(1, round(squares * ratio))

    def open_work(self, rng: np.random.Generator) -> list[demand_engine.OpenWork]:
        planned = {day.job_id for day in self.plan}
        work = []
        for facts in self.open_jobs(SOLD_OPEN | PRE_SALE):
            if facts.id in planned or not facts.phases:
                continue
            finish = self.finish_offsets(facts, rng)
            probability = self.win_probabilities.get(facts.id, 1.0)
            for phase in facts.phases:
                days = self.crew_days(phase.skill, phase.squares, phase.duration_days)
                work.append(
                    demand_engine.OpenWork(
                        key=f"{facts.job.number}/{phase.phase.value}",
                        skill=phase.skill,
                        crew_days=max(1, days - self._worked(facts)),
                        hours_per_day=self.hours_per_day.get(phase.skill, DEFAULT_HOURS_PER_DAY),
                        finish_offsets=finish,
                        probability=probability,
                    )
                )
        return work

    def _worked(self, facts: JobFacts) -> int:
        """Working days a job in production has already had."""
        started = facts.first(S.IN_PRODUCTION, self.as_of)
        if started is None or self.stages[facts.id][0] != S.IN_PRODUCTION:
            return 0
        return len(working_days(started, self.as_of - timedelta(days=1)))

    @cached_property
    def series_start(self) -> date:
        """The first month the series model learns from: the history's, after its warm-up."""
        first = min((facts.lead_day for facts in self.history.jobs), default=self.as_of)
        warm = first + WARM_UP
        return warm if warm.day == 1 else next_month(warm.replace(day=1))

    def unsold(self) -> list[demand_engine.UnsoldHistory]:
        by_skill: dict[str, list[tuple[date, float]]] = defaultdict(list)
        ages = []
        for row in self.production:
            by_skill[row.skill] += [(day, 1.0) for day in row.days]
            ages += [(day - row.lead_day).days for day in row.days]
        cdf = age_cdf(np.array(ages), np.ones(len(ages)))
        sizes = {
            skill: lump(np.array([len(row.days) for row in self.production if row.skill == skill]))
            for skill in by_skill
        }
        return [
            demand_engine.UnsoldHistory(
                skill,
                monthly_totals(days, self.series_start, self.as_of),
                cdf,
                self.hours_per_day.get(skill, DEFAULT_HOURS_PER_DAY),
                sizes[skill],
            )
            for skill, days in sorted(by_skill.items())
        ]

    def crew_calendars(self) -> list[demand_engine.CrewCalendar]:
        production_skills = {row.skill for row in self.production} | {
            phase.skill for facts in self.history.jobs for phase in facts.phases
        }
        return [
            demand_engine.CrewCalendar(
                key=str(crew.id),
                skills=tuple(s for s in crew.skills if s in production_skills),
                iso_weekdays=crew.iso_weekdays,
                hours_per_day=crew.hours_per_day,
                days_off=crew.days_off,
            )
            for crew in self.history.crews_at(self.as_of)
            if any(s in production_skills for s in crew.skills)
        ]

    def demand(self, *, weeks: int = 12, seed: int = 0) -> demand_engine.DemandForecast:
        rng = np.random.default_rng(seed + 1)
        inputs = demand_engine.DemandInputs(
            as_of=self.as_of,
            weeks=weeks,
            scheduled=[demand_engine.ScheduledDay(d.skill, d.day, d.hours) for d in self.plan],
            open_work=self.open_work(rng),
            unsold=self.unsold(),
            crews=self.crew_calendars(),
            holidays=self.history.holidays,
        )
        return demand_engine.forecast_demand(inputs, series_model, samples=SAMPLES, seed=seed)

    # ----- revenue ------------------------------------------------------------------------
    @cached_property
    def invoiced(self) -> dict[uuid.UUID, int]:
        totals: dict[uuid.UUID, int] = defaultdict(int)
        for money in self.history.money_before(self.as_of):
            totals[money.job_id] += money.cents
        return totals

    def backlog(self) -> dict[uuid.UUID, int]:
        """Contracted and not yet invoiced, per sold open or completed job (cents)."""
        result = {}
        for facts in self.open_jobs(SOLD_OPEN | {S.COMPLETED}):
            remaining = (facts.job.contract_cents or 0) - self.invoiced.get(facts.id, 0)
            if remaining > 0:
                result[facts.id] = remaining
        return result

    def revenue_items(self, rng: np.random.Generator) -> list[revenue_engine.RevenueItem]:
        items = []
        for job_id, cents in self.backlog().items():
            facts = self.history.by_id[job_id]
            stage, since = self.stages[job_id]
            done = stage == S.COMPLETED
            items.append(
                revenue_engine.RevenueItem(
                    key=facts.job.number,
                    cents=cents,
                    finish_offsets=np.zeros(1) if done else self.finish_offsets(facts, rng),
                    days_since_finish=(self.as_of - since).days if done else None,
                )
            )
        for facts in self.open_jobs(PRE_SALE):
            if facts.estimate_cents:
                items.append(
                    revenue_engine.RevenueItem(
                        key=facts.job.number,
                        cents=facts.estimate_cents,
                        finish_offsets=self.finish_offsets(facts, rng),
                        probability=self.win_probabilities[facts.id],
                    )
                )
        return items

    def invoice_lags(self) -> np.ndarray:
        """Days from completion to the first invoice on or after it, as known at the origin."""
        firsts: dict[uuid.UUID, int] = {}
        for money in sorted(self.history.money_before(self.as_of), key=lambda m: m.day):
            facts = self.history.by_id.get(money.job_id)
            done = facts.first(S.COMPLETED, self.as_of) if facts else None
            if done is not None and money.day >= done and money.job_id not in firsts:
                firsts[money.job_id] = (money.day - done).days
        return np.array(list(firsts.values()) or [0], dtype=np.int64)

    def monthly_money(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Invoiced cents per month before the origin's, and the age share of past money."""
        money = self.history.money_before(self.as_of)
        leads = {facts.id: facts.lead_day for facts in self.history.jobs}
        ages = np.array([(m.day - leads[m.job_id]).days for m in money])
        cents = np.array([m.cents for m in money], dtype=float)
        amounts = [(m.day, float(m.cents)) for m in money]
        monthly = monthly_totals(amounts, self.series_start, self.as_of)
        return monthly, age_cdf(ages, cents), lump(cents)

    def revenue(
        self, *, weeks: int = 12, months: int = 6, seed: int = 0
    ) -> revenue_engine.RevenueForecast:
        rng = np.random.default_rng(seed + 2)
        history, cdf, size = self.monthly_money()
        inputs = revenue_engine.RevenueInputs(
            as_of=self.as_of,
            items=self.revenue_items(rng),
            invoice_lags=self.invoice_lags(),
            monthly_history=history,
            age_cdf=cdf,
            lump=size,
        )
        return revenue_engine.forecast_revenue(
            inputs, series_model, weeks=weeks, months=months, samples=SAMPLES, seed=seed
        )

    def past_crew_days(
        self, skills: Sequence[str], count: int
    ) -> dict[str, list[tuple[date, float]]]:
        """Per skill, the crew-days worked in each of the ``count`` weeks before the origin's
        (by jobs completed by the origin: one still in production counts once it is done)."""
        worked = weekly_crew_days(self.history, self.as_of)
        first = monday_of(self.as_of) - timedelta(weeks=count)
        starts = [first + timedelta(weeks=n) for n in range(count)]
        return {
            skill: [(start, worked.get((skill, start), 0.0)) for start in starts]
            for skill in skills
        }

    def past_weeks(self, count: int) -> list[tuple[date, float]]:
        first = monday_of(self.as_of) - timedelta(weeks=count)
        starts = [first + timedelta(weeks=n) for n in range(count)]
        return _sum_by_period(self.history.money_before(monday_of(self.as_of)), starts)

    def past_months(self, count: int) -> list[tuple[date, float]]:
        this_month = self.as_of.replace(day=1)
        first = this_month
        for _ in range(count):
            first = (first - timedelta(days=1)).replace(day=1)
        starts = list(month_starts(first, count))
        return _sum_by_period(self.history.money_before(this_month), starts)


def _sum_by_period(money: Sequence[Money], starts: Sequence[date]) -> list[tuple[date, float]]:
    totals = dict.fromkeys(starts, 0.0)
    for m in money:
        start = max((s for s in starts if s <= m.day), default=None)
        if start is not None:
            totals[start] += m.cents
    return list(totals.items())


def world_at(
    history: History,
    as_of: date,
    finishes: Mapping[uuid.UUID, np.ndarray],
    plan: Sequence[PlannedDay],
) -> ProjectionWorld:
    return ProjectionWorld(history, as_of, finishes, tuple(plan))


# ----- win probability training set -------------------------------------------------------
def _features(facts: JobFacts, stage: S, days: int, on: date) -> WinFeatures:
    return WinFeatures(
        job_type=facts.job.job_type.value,
        insured=facts.insured,
        stage=stage.value,
        days_in_stage=days,
        rep=facts.job.sales_rep,
        month=on.month,
    )


def outcome(facts: JobFacts, before: date | None) -> bool | None:
    """Won (reached contract_signed), lost (lost or cancelled before signing), or None."""
    signed = facts.first(S.CONTRACT_SIGNED, before)
    lost = next(
        (m.day for m in facts.moves if m.stage in LOST and (before is None or m.day < before)), None
    )
    if signed is not None and (lost is None or signed <= lost):
        return True
    return False if lost is not None else None


def win_examples(history: History, as_of: date) -> list[WinExample]:
    examples = []
    for facts in history.jobs:
        if facts.lead_day >= as_of - DECIDED_AFTER:
            continue
        won = outcome(facts, as_of)
        if won is None:
            continue
        examples += [WinExample(f, won) for f in snapshots(facts, as_of)]
    return examples


def snapshots(facts: JobFacts, as_of: date) -> list[WinFeatures]:
    """The job as it looked a few days into each pre-sale stage it went through."""
    known = facts.known(as_of)
    result = []
    for move, following in pairwise(known):
        if move.stage not in PRE_SALE:
            continue
        for days in SNAPSHOT_DAYS:
            day = move.day + timedelta(days=days)
            if days == 0 or day < following.day:
                result.append(_features(facts, move.stage, days, day))
    return result
