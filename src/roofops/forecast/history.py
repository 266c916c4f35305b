"""What was known at an as-of date: each job's stage and days in it, its stage-entry times, the
stage durations observed (censored at as-of when not finished) and their covariates.

Only stage moves that had both happened and been recorded by the as-of moment (midnight UTC at
the start of the as-of day) count, and only jobs with such a move: a backtest at an old origin
sees the stage history a forecast run on that day would have seen. (Not ``jobs.created_at``: a
job synced from the CRM was created when it arrived, not when its lead came in.) Two things have
no history table, so today's values stand in for the past's: a job's type, material, squares and
payer (the lead says them; an inspection may correct the squares), and the crews (their skills
and capacity rarely change).
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from roofops.engines.forecast.completion import Covariates, OpenJob, Stage, StageObservation
from roofops.forecast.history_repository import HistoryRepository
from roofops.job.lifecycle import PIPELINE
from roofops.models.enums import JobStage, JobType, Material, PayerKind

SECONDS_PER_DAY = 86_400.0
# The lifecycle's order; lost and cancelled close a job from any stage.
RANK = {stage: rank for rank, stage in enumerate(PIPELINE)}
SIGNED_RANK = RANK[JobStage.CONTRACT_SIGNED]
START_RANK = RANK[JobStage.IN_PRODUCTION]
DONE_RANK = RANK[JobStage.COMPLETED]
CLOSED = frozenset({JobStage.LOST, JobStage.CANCELLED})
SKILL_FOR_TYPE = {JobType.REPAIR: "repairs", JobType.GUTTERS: "gutters"}
HALF_LIFE_DAYS = 365.0


def as_of_moment(as_of: date) -> datetime:
    """The as-of cut: midnight UTC at the start of the day (the demo's history ends there)."""
    return datetime.combine(as_of, time(0), UTC)


def days_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / SECONDS_PER_DAY


@dataclass(frozen=True)
class JobFacts:
    """What the lead says about the work: known from the start, so no leak."""

    job_id: uuid.UUID
    job_type: JobType
    material: Material
    squares: float | None
    insured: bool

    @property
    def skill(self) -> str | None:
        """The crew skill the work needs; an inspection needs none (the rep goes)."""
        if self.job_type == JobType.INSPECTION:
            return None
        return SKILL_FOR_TYPE.get(self.job_type, self.material.value)


@dataclass(frozen=True)
class StageMove:
    stage: JobStage
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class CrewFacts:
    crew_id: uuid.UUID
    capacity: int
    active: bool
    created_at: datetime
    skills: frozenset[str]


@dataclass(frozen=True)
class JobState:
    """One job as known at the cut: its stage now and when it reached each milestone."""

    facts: JobFacts
    stage: JobStage
    stage_entered_at: datetime
    lead_at: datetime
    signed_at: datetime | None
    started_at: datetime | None
    done_at: datetime | None
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.closed_at is None

    @property
    def model_stage(self) -> Stage:
        """The completion model's stage for an open job."""
        if self.started_at is not None:
            return "build"
        if self.signed_at is not None:
            return "visit" if self.facts.job_type == JobType.INSPECTION else "wait"
        return "sales"

    @property
    def model_stage_entered_at(self) -> datetime:
        entered = {"build": self.started_at, "wait": self.signed_at, "visit": self.signed_at}
        return entered.get(self.model_stage) or self.lead_at


@dataclass(frozen=True)
class History:
    """Jobs, their stage moves and the crews, as loaded; :meth:`known_at` cuts it."""

    jobs: tuple[JobFacts, ...]
    moves: Mapping[uuid.UUID, tuple[StageMove, ...]]
    crews: tuple[CrewFacts, ...]

    def known_at(self, cut: datetime) -> History:
        """Only what had happened and been recorded by ``cut``."""
        moves = {
            job_id: kept
            for job_id, job_moves in self.moves.items()
            if (
                kept := tuple(m for m in job_moves if m.occurred_at <= cut and m.recorded_at <= cut)
            )
        }
        jobs = tuple(job for job in self.jobs if job.job_id in moves)
        return History(jobs, moves, self.crews)

    def states(self) -> list[JobState]:
        return [
            _state(job, self.moves[job.job_id]) for job in self.jobs if job.job_id in self.moves
        ]


def load_history(db: Session, as_of: date | None = None) -> History:
    """The history known at ``as_of`` (all of it when None: a backtest cuts it per origin)."""
    cut = None if as_of is None else as_of_moment(as_of)
    repository = HistoryRepository(db)
    jobs = tuple(
        JobFacts(
            job_id=job_id,
            job_type=JobType(job_type),
            material=Material(material),
            squares=None if squares is None else float(squares),
            insured=payer == PayerKind.INSURANCE,
        )
        for job_id, job_type, material, squares, payer in repository.jobs()
    )
    moves: dict[uuid.UUID, list[StageMove]] = defaultdict(list)
    for job_id, stage, occurred_at, recorded_at in repository.stage_events(cut):
        moves[job_id].append(StageMove(JobStage(stage), occurred_at, recorded_at))
    crews = tuple(CrewFacts(*row) for row in repository.crews())
    history = History(jobs, {job_id: tuple(rows) for job_id, rows in moves.items()}, crews)
    return history if cut is None else history.known_at(cut)


def _state(job: JobFacts, moves: Sequence[StageMove]) -> JobState:
    def first_at(rank: int) -> datetime | None:
        return next((m.occurred_at for m in moves if RANK.get(m.stage, -1) >= rank), None)

    last = moves[-1]
    return JobState(
        facts=job,
        stage=last.stage,
        stage_entered_at=last.occurred_at,
        lead_at=moves[0].occurred_at,
        signed_at=first_at(SIGNED_RANK),
        started_at=first_at(START_RANK) if job.job_type != JobType.INSPECTION else None,
        done_at=first_at(DONE_RANK),
        closed_at=last.occurred_at if last.stage in CLOSED else None,
    )


class Backlog:
    """Signed-not-started work per crew with the skill, at any moment before the cut: in jobs
    and in crew-days (each job's squares over the skill's mean squares a day, at least one)."""

    def __init__(self, states: Sequence[JobState], crews: Sequence[CrewFacts]) -> None:
        self.crews = [crew for crew in crews if crew.active]
        signed: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
        ended: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
        for state in states:
            skill = state.facts.skill
            if skill is None or state.signed_at is None:
                continue
            days = self.crew_days(state.facts)
            signed[skill].append((state.signed_at, days))
            end = state.started_at or state.done_at or state.closed_at
            if end is not None:
                ended[skill].append((end, days))
        self.signed = {skill: _running_totals(rows) for skill, rows in signed.items()}
        self.ended = {skill: _running_totals(rows) for skill, rows in ended.items()}

    def crew_days(self, facts: JobFacts) -> float:
        capacity = self.capacity(facts.skill)
        if facts.squares is None or not capacity:
            return 1.0
        return max(1.0, facts.squares / capacity)

    def per_crew(self, skill: str | None, at: datetime) -> tuple[float, float]:
        """(jobs, crew-days) signed and not started at ``at``, per crew with the skill."""
        if skill is None:
            return 0.0, 0.0
        in_jobs, in_days = _total_at(self.signed.get(skill), at)
        out_jobs, out_days = _total_at(self.ended.get(skill), at)
        crews = max(1, sum(1 for c in self.crews if skill in c.skills and c.created_at <= at))
        return (in_jobs - out_jobs) / crews, (in_days - out_days) / crews

    def capacity(self, skill: str | None) -> float | None:
        """Mean squares a day of the crews with the skill (None: no such crew, or none needed)."""
        capacities = [crew.capacity for crew in self.crews if skill and skill in crew.skills]
        return sum(capacities) / len(capacities) if capacities else None


Totals = tuple[list[datetime], list[float]]


def _running_totals(rows: list[tuple[datetime, float]]) -> Totals:
    """Times in order with the running sum of their weights."""
    rows.sort()
    running, totals = 0.0, []
    for _, weight in rows:
        running += weight
        totals.append(running)
    return [time for time, _ in rows], totals


def _total_at(totals: Totals | None, at: datetime) -> tuple[int, float]:
    """(how many, their weight) up to and including ``at``."""
    if totals is None:
        return 0, 0.0
    count = bisect_right(totals[0], at)
    return count, totals[1][count - 1] if count else 0.0


def covariates(state: JobState, backlog: Backlog, at: datetime) -> Covariates:
    facts = state.facts
    jobs, days = backlog.per_crew(facts.skill, at)
    return Covariates(
        job_type=facts.job_type.value,
        material=facts.material.value,
        squares=facts.squares,
        insured=facts.insured,
        month=at.month,
        backlog_per_crew=jobs,
        backlog_days_per_crew=days,
        crew_capacity=backlog.capacity(facts.skill),
    )


def observations(history: History, cut: datetime) -> list[StageObservation]:
    """Every stage time of every job known at ``cut``: finished, or censored at the cut (or at
    the cancellation). Sales stages of lost jobs are left out: the model is of winning."""
    states = history.states()
    backlog = Backlog(states, history.crews)
    rows: list[StageObservation] = []
    for state in states:
        for stage, entered, left, finished in _stage_spans(state, cut):
            rows.append(
                StageObservation(
                    key=state.facts.job_id,
                    stage=stage,
                    duration_days=days_between(entered, left),
                    finished=finished,
                    covariates=covariates(state, backlog, entered),
                    weight=recency_weight(entered, cut),
                )
            )
    return rows


def recency_weight(entered: datetime, cut: datetime) -> float:
    """A stage's weight in the fit halves every year back: crews, suppliers and the market
    change, and the backtest's bias shrank with it (docs/forecasting-completion.md)."""
    return float(0.5 ** (days_between(entered, cut) / HALF_LIFE_DAYS))


def _stage_spans(state: JobState, cut: datetime) -> list[tuple[Stage, datetime, datetime, bool]]:
    """(stage, entered, left or censored at, finished) for each model stage the job entered."""
    stop = state.closed_at or cut
    spans: list[tuple[Stage, datetime, datetime, bool]] = []
    if state.signed_at is not None:
        spans.append(("sales", state.lead_at, state.signed_at, True))
    elif state.closed_at is None:
        spans.append(("sales", state.lead_at, cut, False))
    if state.signed_at is None:
        return spans
    if state.facts.job_type == JobType.INSPECTION:
        spans.append(_span("visit", state.signed_at, state.done_at, stop))
        return spans
    spans.append(_span("wait", state.signed_at, state.started_at or state.done_at, stop))
    if state.started_at is not None:
        spans.append(_span("build", state.started_at, state.done_at, stop))
    return spans


def _span(
    stage: Stage, entered: datetime, left: datetime | None, stop: datetime
) -> tuple[Stage, datetime, datetime, bool]:
    return (stage, entered, left, True) if left is not None else (stage, entered, stop, False)


def open_jobs(history: History, cut: datetime) -> list[tuple[JobState, OpenJob]]:
    """The jobs open at ``cut`` (lead to in production), each with the model's view of it."""
    states = history.states()
    backlog = Backlog(states, history.crews)
    return [
        (
            state,
            OpenJob(
                key=state.facts.job_id,
                stage=state.model_stage,
                elapsed_days=days_between(state.model_stage_entered_at, cut),
                covariates=covariates(state, backlog, state.model_stage_entered_at),
                ahead=covariates(state, backlog, cut),
            ),
        )
        for state in states
        if state.is_open
    ]
