"""Records from the database: the repository's rows turned into the records figures sum."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.financials.figures import COST_FIGURES, margin_kind
from roofops.job.lifecycle import SALES
from roofops.kit.time import as_utc, utcnow
from roofops.models import Job, JobFinancials, ScheduleEntry
from roofops.models.enums import JobStage, MarginKind
from roofops.performance import measures
from roofops.performance.records import (
    BACKLOG_STAGES,
    CALLBACK_WINDOW_DAYS,
    FINISHED,
    NO_REP,
    SOLD,
    BacklogJob,
    CompletedJob,
    JobMoney,
    JobRef,
    PlannedPhase,
    SalesJob,
    backlog_size,
    days_on_site,
    plan_of,
    worked_days,
)
from roofops.performance.repository import PerformanceRepository
from roofops.performance.timeline import Calendar, Timeline, Visit, timelines

# Monday to Friday (ISO weekday digits), as a crew works unless it says otherwise.
DEFAULT_WEEKDAYS = "12345"


@dataclass(frozen=True)
class Window:
    """A period of company days as instants: [start, end)."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime

    def holds(self, instant: datetime | None) -> bool:
        return instant is not None and self.start <= instant < self.end


def calendar(db: Session) -> Calendar:
    return Calendar(ZoneInfo(company_service.get(db).time_zone))


def window(db: Session, first_day: date, last_day: date) -> Window:
    days = calendar(db)
    return Window(first_day, last_day, days.start_of(first_day), days.end_of(last_day))


def ref(job: Job) -> JobRef:
    return JobRef(job.id, job.number, job.name)


def rep_of(job: Job) -> str:
    return job.sales_rep.strip() or NO_REP


@dataclass(frozen=True)
class _CompletionFacts:
    """What the completed jobs' records are made of, by job."""

    finished: dict[uuid.UUID, datetime]
    phases: dict[uuid.UUID, list[PlannedPhase]]
    promised: dict[uuid.UUID, date | None]
    money: dict[uuid.UUID, JobMoney]
    callbacks: dict[uuid.UUID, tuple[tuple[str, ...], bool]]
    weekdays: dict[uuid.UUID | None, str]
    reported: dict[tuple[uuid.UUID, uuid.UUID | None], set[date]]  # (job, crew) -> on-site days


class Loader:
    """Loads once what one request needs; every figure of the request reads the same rows."""

    def __init__(self, db: Session, first_day: date, last_day: date) -> None:
        self.db = db
        self.repository = PerformanceRepository(db)
        self.calendar = calendar(db)
        self.window = window(db, first_day, last_day)
        self.now = utcnow()
        rows = self.repository.events_of_jobs_moved_between(self.window.start, self.window.end)
        self.timelines = timelines(rows)

    def completed(self) -> list[CompletedJob]:
        """Jobs that first reached completed (or beyond) in the period."""
        finished = {
            job_id: at
            for job_id, line in self.timelines.items()
            if (at := line.first_at(FINISHED)) is not None and self.window.holds(at)
        }
        jobs = {job.id: job for job in self.repository.jobs(finished)}
        facts = _CompletionFacts(
            finished=finished,
            phases=phases_of(self.repository, finished),
            promised={r.job_id: r.promised_by for r in self.repository.requirements(finished)},
            money=self._money(jobs),
            callbacks=self._callbacks(jobs.values(), finished),
            weekdays={crew.id: crew.working_weekdays for crew in self.repository.crews()},
            reported=self._reported(finished),
        )
        records = [self._completed_job(job, facts) for job in jobs.values()]
        return sorted(records, key=lambda record: (record.finished_on, record.job.number))

    def sales(self) -> list[SalesJob]:
        """Jobs with a lead, a signed contract or a loss in the period."""
        found = {job_id: self._sales_dates(line) for job_id, line in self.timelines.items()}
        found = {job_id: dates for job_id, dates in found.items() if any(dates)}
        jobs = self.repository.jobs(found)
        contracts = {f.job_id: f.contract_cents for f in self.repository.financials(found)}
        records = []
        for job in jobs:
            lead_at, won_at, lost_at = found[job.id]
            records.append(
                SalesJob(
                    job=ref(job),
                    sales_rep=rep_of(job),
                    lead_on=self._day(lead_at),
                    won_on=self._day(won_at),
                    lost_on=self._day(lost_at),
                    days_to_contract=self._days_to_contract(self.timelines[job.id], won_at),
                    contract_cents=contracts.get(job.id),
                )
            )
        return sorted(records, key=lambda record: record.job.number)

    def visits(self) -> list[Visit]:
        """Stage visits that ended in the period."""
        return [
            visit
            for line in self.timelines.values()
            for visit in line.visits()
            if self.window.holds(visit.ended)
        ]

    def refs(self, job_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, JobRef]:
        return {job.id: ref(job) for job in self.repository.jobs(set(job_ids))}

    def crew_names(self) -> dict[uuid.UUID, str]:
        return {crew.id: crew.name for crew in self.repository.crews()}

    # ----- helpers ----------------------------------------------------------------------------
    def _day(self, instant: datetime | None) -> date | None:
        return self.calendar.day_of(instant) if instant is not None else None

    def _sales_dates(
        self, line: Timeline
    ) -> tuple[datetime | None, datetime | None, datetime | None]:
        lead = line.entered if self.window.holds(line.entered) else None
        won = line.first_at(SOLD)
        lost = line.first_at({JobStage.LOST})
        return (
            lead,
            won if self.window.holds(won) else None,
            lost if self.window.holds(lost) else None,
        )

    @staticmethod
    def _days_to_contract(line: Timeline, won_at: datetime | None) -> float | None:
        """Lead to contract, for jobs that came in as leads (an import straight at a signed
        contract has no sales time to measure)."""
        if won_at is None or line.moves[0][0] not in SALES:
            return None
        return measures.days_between(line.entered, won_at)

    def _completed_job(self, job: Job, facts: _CompletionFacts) -> CompletedJob:
        finished_on = self.calendar.day_of(facts.finished[job.id])
        plan = plan_of(facts.phases.get(job.id, []), self.calendar.end_of(finished_on), finished_on)
        started = self.timelines[job.id].first_at({JobStage.IN_PRODUCTION})
        repairs, window_open = facts.callbacks.get(job.id, ((), False))
        crew_id = job.crew_id or plan.crew_id
        started_on = self._day(started)
        weekdays = facts.weekdays.get(crew_id, DEFAULT_WEEKDAYS)
        reported = facts.reported.get((job.id, crew_id), set())
        crew_days, basis = days_on_site(reported, plan, started_on, finished_on, weekdays)
        return CompletedJob(
            job=ref(job),
            crew_id=crew_id,
            sales_rep=rep_of(job),
            squares=float(job.squares) if job.squares is not None else None,
            started_on=started_on,
            finished_on=finished_on,
            plan=plan,
            promised_by=facts.promised.get(job.id),
            callbacks=repairs,
            callback_window_open=window_open,
            money=facts.money.get(job.id),
            crew_days=crew_days,
            days_basis=basis,
        )

    def _reported(
        self, job_ids: Iterable[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID | None], set[date]]:
        days: dict[tuple[uuid.UUID, uuid.UUID | None], set[date]] = defaultdict(set)
        for job_id, crew_id, day in self.repository.field_days(set(job_ids)):
            days[job_id, crew_id].add(day)
        return days

    def _money(self, jobs: dict[uuid.UUID, Job]) -> dict[uuid.UUID, JobMoney]:
        return {
            row.job_id: job_money(row, jobs[row.job_id], self.now)
            for row in self.repository.financials(jobs)
        }

    def _callbacks(
        self, jobs: Iterable[Job], finished: dict[uuid.UUID, datetime]
    ) -> dict[uuid.UUID, tuple[tuple[str, ...], bool]]:
        """Per completed job: the repairs on its property within the window after it finished,
        and whether that window is still open."""
        jobs = list(jobs)
        repairs: dict[uuid.UUID, list[tuple[uuid.UUID, str, datetime]]] = defaultdict(list)
        for repair_id, property_id, number, came_in in self.repository.repairs_on(
            {job.property_id for job in jobs}
        ):
            repairs[property_id].append((repair_id, number, as_utc(came_in)))
        span = timedelta(days=CALLBACK_WINDOW_DAYS)
        found = {}
        for job in jobs:
            done = finished[job.id]
            hits = sorted(
                number
                for repair_id, number, came_in in repairs.get(job.property_id, [])
                if repair_id != job.id and done < came_in <= done + span
            )
            found[job.id] = (tuple(hits), done + span > self.now)
        return found


def phases_of(
    repository: PerformanceRepository, job_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[PlannedPhase]]:
    """Each job's crewed entries in the published schedules, oldest plan first."""
    phases: dict[uuid.UUID, list[PlannedPhase]] = defaultdict(list)
    for entry, published_at in repository.published_entries(set(job_ids)):
        phases[entry.job_id].append(planned_phase(entry, published_at))
    return phases


def planned_phase(entry: ScheduleEntry, published_at: datetime | None) -> PlannedPhase:
    # The repository loads crewed entries of published plans only.
    assert entry.crew_id is not None
    assert published_at is not None
    return PlannedPhase(
        crew_id=entry.crew_id,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        work_days=tuple(sorted(date.fromisoformat(day) for day in entry.work_days)),
        published_at=as_utc(published_at),
    )


def job_money(row: JobFinancials, job: Job, now: datetime) -> JobMoney:
    """The margin inputs of a job: final only when its actual margin applies (paid, or invoiced
    long enough for the bills to be in, with costs in the books)."""
    kind = margin_kind(job.stage, job.stage_changed_at, row.cost_to_date_cents, now)
    revenue, profit = row.actual_revenue_cents, row.actual_profit_cents
    final = kind == MarginKind.ACTUAL and revenue is not None and profit is not None
    revenue_source = (
        row.books_source if row.invoiced_cents and row.books_source else row.contract_source
    )
    by_source: dict[str, int] = defaultdict(int)
    by_source[str(revenue_source)] += revenue or 0
    for figure in COST_FIGURES:
        by_source[str(row.source(figure))] += row.amount(figure) or 0
    return JobMoney(final, revenue or 0, profit or 0, dict(by_source))


class BacklogLoader:
    """Signed, unfinished work at the end of a day, sized in crew-days."""

    def __init__(self, db: Session, as_of: date) -> None:
        self.repository = PerformanceRepository(db)
        self.as_of = as_of
        self.end = calendar(db).end_of(as_of)

    def jobs(self) -> list[BacklogJob]:
        stages = {row[0]: row[1] for row in self.repository.stages_before(self.end, BACKLOG_STAGES)}
        started = [job_id for job_id, stage in stages.items() if stage == JobStage.IN_PRODUCTION]
        self.production = {
            r.job_id: r.production_days for r in self.repository.requirements(stages)
        }
        self.figures = {f.job_id: f for f in self.repository.financials(stages)}
        self.capacity = self._capacities()
        self.phases = phases_of(self.repository, started)
        records = [self._record(job, stages[job.id]) for job in self.repository.jobs(stages)]
        return sorted(records, key=lambda record: record.job.number)

    def _record(self, job: Job, stage: JobStage) -> BacklogJob:
        squares = float(job.squares) if job.squares is not None else None
        crew_capacity = self.capacity.get(job.crew_id) or self.capacity[None]
        total, basis = backlog_size(self.production.get(job.id), squares, crew_capacity)
        figures = self.figures.get(job.id)
        return BacklogJob(
            job=ref(job),
            stage=stage,
            total_days=total,
            basis=basis,
            worked_days=worked_days(self.phases.get(job.id, []), self.as_of, self.end),
            contract_cents=figures.contract_cents if figures else None,
            contract_source=str(figures.contract_source) if figures else "",
        )

    def _capacities(self) -> dict[uuid.UUID | None, float | None]:
        """Each crew's squares per day; under None the median of the active crews, for jobs
        no crew holds yet."""
        crews = self.repository.crews()
        capacity: dict[uuid.UUID | None, float | None] = {
            crew.id: float(crew.capacity_squares_per_day) for crew in crews
        }
        capacity[None] = measures.median(
            [float(crew.capacity_squares_per_day) for crew in crews if crew.is_active]
        )
        return capacity
