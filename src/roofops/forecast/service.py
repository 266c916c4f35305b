"""Forecast runs: start one (queued or at once), store what it computed in one go, and read
the results back: the latest run, a job's window, a run's series, forecast vs actual.

A run's rows are all written together with its "succeeded" status, or none are: a failure
leaves the run row alone, "failed", with the sentence that says why. Only one run at a time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.config import get_settings
from roofops.exceptions import Conflict, RoofOpsError
from roofops.forecast import accuracy as scoring
from roofops.forecast.pipeline import RunOutputs, compute_outputs
from roofops.forecast.repository import ForecastRunRepository, JobForecastRepository
from roofops.forecast.results import ForecastSeries, JobCompletionForecast, Unit
from roofops.forecast.storage import (
    job_rows,
    metrics_json,
    point_rows,
    series_from_points,
    stored_window,
)
from roofops.forecast.threads import limited_threads
from roofops.kit.repository import found
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.forecast import (
    ForecastPoint,
    ForecastRun,
    ForecastRunStatus,
    ForecastTrigger,
)
from roofops.worker.queue import enqueue

log = get_logger(__name__)
RUN_TASK = "forecast.run"
# A run still "running" after this long died with its worker: it no longer blocks a new one.
STALE_AFTER = timedelta(hours=2)
ERROR_CHARS = 2000
# Series and metrics that are money (MONEY_RULE in auth/permissions.py): revenue in cents and
# margins. Roles without view_money get the rest.
MONEY_KEYS = ("revenue", "trend.revenue", "trend.sales_value", "trend.margin")


class ForecastService:
    # -- running -------------------------------------------------------------------------------
    def run_forecast(
        self,
        db: Session,
        as_of: date,
        *,
        trigger: ForecastTrigger | str,
        user_id: uuid.UUID | None = None,
        seed: int = 0,
        origins: int | None = None,
    ) -> ForecastRun:
        """Run every model now, in this session; the caller commits. A failure is stored as a
        failed run (not raised), so check the returned run's status."""
        run = self.open_run(db, as_of, trigger=trigger, user_id=user_id)
        self.execute(db, run, seed=seed, origins=origins)
        return run

    def start_run(
        self,
        db: Session,
        as_of: date,
        *,
        trigger: ForecastTrigger | str,
        user_id: uuid.UUID | None = None,
    ) -> ForecastRun:
        """Queue a run for a worker; it shows as "running" from now on."""
        run = self.open_run(db, as_of, trigger=trigger, user_id=user_id)
        enqueue(db, RUN_TASK, run_id=str(run.id))
        log.info("forecast.run.queued", run_id=str(run.id), trigger=str(run.trigger))
        return run

    def open_run(
        self,
        db: Session,
        as_of: date,
        *,
        trigger: ForecastTrigger | str,
        user_id: uuid.UUID | None = None,
    ) -> ForecastRun:
        self._refuse_while_running(db)
        return ForecastRunRepository(db).add(
            ForecastRun(
                as_of=as_of,
                status=ForecastRunStatus.RUNNING,
                trigger=ForecastTrigger(trigger),
                started_at=utcnow(),
                threads=get_settings().forecast_threads,
                created_by_id=user_id,
                metrics=[],
                error="",
            )
        )

    def execute(
        self, db: Session, run: ForecastRun, *, seed: int = 0, origins: int | None = None
    ) -> None:
        """Compute the run's results and record them."""
        self.record(db, run, lambda: self.compute(db, run, seed=seed, origins=origins))

    def record(self, db: Session, run: ForecastRun, produce: Callable[[], RunOutputs]) -> None:
        """Produce and store in a savepoint: on any error nothing of it stays but the failure."""
        began = time.monotonic()
        try:
            with db.begin_nested():
                self.store(db, run, produce())
        except Exception as error:
            log.exception("forecast.run.failed", run_id=str(run.id))
            self.fail(run, error)
        self.finish(run, time.monotonic() - began)

    def compute(
        self, db: Session, run: ForecastRun, *, seed: int = 0, origins: int | None = None
    ) -> RunOutputs:
        """What the run stores, computed with the run's threads; reads only."""
        count = get_settings().forecast_backtest_origins if origins is None else origins
        with limited_threads(run.threads):
            return compute_outputs(db, run.as_of, seed=seed, origins=count)

    def store(self, db: Session, run: ForecastRun, outputs: RunOutputs) -> None:
        """The run's rows and its metrics; the run succeeded."""
        rows = JobForecastRepository(db)
        rows.add_all(job_rows(run.id, outputs.jobs))
        rows.add_all(point_rows(run.id, outputs.series))
        run.metrics = [
            *metrics_json(outputs.fit_metrics, kind="fit"),
            *metrics_json(outputs.backtest_metrics, kind="backtest"),
        ]
        run.status = ForecastRunStatus.SUCCEEDED
        db.flush()
        log.info(
            "forecast.run.stored",
            run_id=str(run.id),
            jobs=len(outputs.jobs),
            series=len(outputs.series),
        )

    def fail(self, run: ForecastRun, error: BaseException) -> None:
        run.status = ForecastRunStatus.FAILED
        run.metrics = []
        run.error = failure_sentence(error)

    def finish(self, run: ForecastRun, seconds: float) -> None:
        run.finished_at = utcnow()
        run.duration_seconds = round(seconds, 2)

    def _refuse_while_running(self, db: Session) -> None:
        now = utcnow()
        runs = ForecastRunRepository(db)
        runs.serialize_starts()
        for run in runs.running():
            if now - run.started_at < STALE_AFTER:
                raise Conflict(
                    f"a forecast run (as of {run.as_of}) is already running since "
                    f"{run.started_at:%H:%M} UTC: wait for it to finish"
                )
            run.status = ForecastRunStatus.FAILED
            run.error = "the run did not finish within two hours: its worker stopped or hung"
            run.finished_at = now
        db.flush()

    # -- reading -------------------------------------------------------------------------------
    def latest_run(self, db: Session) -> ForecastRun | None:
        return ForecastRunRepository(db).latest()

    def latest_succeeded(self, db: Session) -> ForecastRun | None:
        return ForecastRunRepository(db).latest(status=ForecastRunStatus.SUCCEEDED)

    def runs(self, db: Session, limit: int = 20) -> list[ForecastRun]:
        return ForecastRunRepository(db).recent(limit)

    def get_run(self, db: Session, run_id: uuid.UUID) -> ForecastRun:
        return found(ForecastRunRepository(db).get(run_id), "forecast run")

    def counts(self, db: Session, run_id: uuid.UUID) -> tuple[int, int]:
        """How many job windows and series points the run stored."""
        return ForecastRunRepository(db).count_rows(run_id)

    def job_window(self, db: Session, job_id: uuid.UUID) -> JobCompletionForecast | None:
        """The job's window from the latest succeeded run that predicted it."""
        row = JobForecastRepository(db).latest_for_job(job_id)
        return stored_window(row) if row else None

    def series(
        self, db: Session, run_id: uuid.UUID | None = None, prefix: str = ""
    ) -> tuple[ForecastSeries, ...]:
        """A run's series (the latest succeeded run's when ``run_id`` is None) by key prefix."""
        if run_id is None:
            latest = self.latest_succeeded(db)
            if latest is None:
                return ()
            run_id = latest.id
        return series_from_points(JobForecastRepository(db).points(run_id, prefix))

    def accuracy(self, db: Session, *, runs: int = 12, with_money: bool = True) -> scoring.Accuracy:
        """The last ``runs`` succeeded runs before the latest, checked against what is known
        now: completed jobs' finish days, and series actuals the latest run carries (money
        series left out, from the checks and the scores, unless ``with_money``)."""
        latest = self.latest_succeeded(db)
        if latest is None:
            return scoring.Accuracy(runs=(), jobs=(), points=())
        past = ForecastRunRepository(db).succeeded_before(latest.as_of)[-runs:]
        actuals = _actuals(JobForecastRepository(db).points(latest.id), with_money)
        scored = [self._score(db, run, actuals, latest.as_of) for run in past]
        return scoring.Accuracy(
            runs=tuple(score for score, _, _ in scored),
            jobs=tuple(check for _, jobs, _ in scored for check in jobs),
            points=tuple(check for _, _, points in scored for check in points),
        )

    def _score(
        self,
        db: Session,
        run: ForecastRun,
        actuals: dict[tuple[str, date], float],
        now: date,
    ) -> tuple[scoring.RunAccuracy, list[scoring.JobCheck], list[scoring.PointCheck]]:
        rows = JobForecastRepository(db)
        windows = rows.for_run(run.id)
        completed = rows.completion_dates([window.job_id for window in windows])
        jobs = scoring.job_checks(windows, {job: at.date() for job, at in completed.items()})
        points = scoring.point_checks(rows.points(run.id), actuals, before=now)
        return scoring.score_run(run, len(windows), jobs, points), jobs, points


def is_money(key: str) -> bool:
    """A series key or model name that is money: ``revenue.week``, ``trend.margin``, ..."""
    return any(key == money or key.startswith(f"{money}.") for money in MONEY_KEYS)


def without_money(series: tuple[ForecastSeries, ...]) -> tuple[ForecastSeries, ...]:
    return tuple(one for one in series if not is_money(one.key) and one.unit != Unit.CENTS)


def _actuals(points: list[ForecastPoint], with_money: bool) -> dict[tuple[str, date], float]:
    """The known actuals by (series, period): a point without one is never checked."""
    return {
        (point.series_key, point.period_start): point.actual
        for point in points
        if point.actual is not None and (with_money or not _money_point(point))
    }


def _money_point(point: ForecastPoint) -> bool:
    return is_money(point.series_key) or point.unit == Unit.CENTS


def failure_sentence(error: BaseException) -> str:
    """What a page shows for a failed run: our errors' own message, else the exception's."""
    if isinstance(error, RoofOpsError):
        message = error.message
    else:
        message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return f"The forecast failed: {message}"[:ERROR_CHARS]


forecast_service = ForecastService()

# The contract's names (docs/forecasting.md): module functions over the one service.
run_forecast = forecast_service.run_forecast
latest_run = forecast_service.latest_run
job_window = forecast_service.job_window
series = forecast_service.series
accuracy = forecast_service.accuracy
