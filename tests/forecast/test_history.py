"""The stage history known at an as-of date, read from the real database: nothing after as-of
leaks in, open stages are censored at as-of, the backlog counts signed-not-started work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.forecast.history import (
    as_of_moment,
    load_history,
    observations,
    open_jobs,
)
from roofops.models.crew import Crew
from roofops.models.enums import ActorType, JobStage, JobType, Material
from roofops.models.job import Job, JobStageEvent
from tests.factories import make_crew, make_job, make_skill

AS_OF = date(2025, 6, 1)
CUT = as_of_moment(AS_OF)


def day(offset: float) -> datetime:
    """``offset`` days from the as-of moment."""
    return CUT + timedelta(days=offset)


def move(db: Session, job: Job, stage: JobStage, at: float, recorded: float | None = None) -> None:
    db.add(
        JobStageEvent(
            job_id=job.id,
            to_stage=stage,
            occurred_at=day(at),
            recorded_at=day(at if recorded is None else recorded),
            actor_type=ActorType.SYSTEM,
        )
    )
    db.flush()


def reroof(db: Session, lead: float, *moves: tuple[JobStage, float]) -> Job:
    job = make_job(db, stage=JobStage.LEAD, stage_changed_at=day(lead))
    for stage, at in moves:
        move(db, job, stage, at)
    return job


@pytest.fixture
def crew(db: Session) -> Crew:
    return make_crew(db, skills=[make_skill(db, code="asphalt_shingle")])


def snapshot(db: Session) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    history = load_history(db, AS_OF)
    observed = [
        (row.key, row.stage, round(row.duration_days, 6), row.finished, row.covariates)
        for row in observations(history, CUT)
    ]
    still_open = [
        (job.key, job.stage, round(job.elapsed_days, 6), state.stage, job.covariates, job.ahead)
        for state, job in open_jobs(history, CUT)
    ]
    return sorted(observed, key=str), sorted(still_open, key=str)


def test_nothing_after_as_of_leaks_in(db: Session, crew: Crew) -> None:
    """The same answer before and after the future is written: later moves, a move that
    happened before as-of but was only entered after it, and a lead that came in later."""
    building = reroof(
        db,
        -40,
        (JobStage.CONTRACT_SIGNED, -30),
        (JobStage.SCHEDULED, -20),
        (JobStage.IN_PRODUCTION, -2),
    )
    waiting = reroof(db, -25, (JobStage.ESTIMATE, -20), (JobStage.CONTRACT_SIGNED, -12))
    selling = reroof(db, -9, (JobStage.ESTIMATE, -6))
    before = snapshot(db)

    move(db, building, JobStage.COMPLETED, 1)
    move(db, waiting, JobStage.IN_PRODUCTION, 3)
    move(db, selling, JobStage.CONTRACT_SIGNED, -1, recorded=0.5)  # entered the next morning
    reroof(db, 2, (JobStage.CONTRACT_SIGNED, 4))

    assert snapshot(db) == before
    stages = {key: (stage, lifecycle) for key, stage, _, lifecycle, _, _ in before[1]}
    assert stages == {
        building.id: ("build", JobStage.IN_PRODUCTION),
        waiting.id: ("wait", JobStage.CONTRACT_SIGNED),
        selling.id: ("sales", JobStage.ESTIMATE),
    }


def test_open_stages_are_censored_at_as_of(db: Session, crew: Crew) -> None:
    done = reroof(
        db,
        -60,
        (JobStage.CONTRACT_SIGNED, -50),
        (JobStage.IN_PRODUCTION, -20),
        (JobStage.COMPLETED, -18),
    )
    waiting = reroof(db, -30, (JobStage.CONTRACT_SIGNED, -12))
    lost = reroof(db, -30, (JobStage.ESTIMATE, -25), (JobStage.LOST, -20))
    rows = {(row.key, row.stage): row for row in observations(load_history(db, AS_OF), CUT)}

    assert (rows[(done.id, "wait")].duration_days, rows[(done.id, "wait")].finished) == (30, True)
    assert (rows[(done.id, "build")].duration_days, rows[(done.id, "build")].finished) == (2, True)
    assert (rows[(waiting.id, "wait")].duration_days, rows[(waiting.id, "wait")].finished) == (
        12,
        False,
    )
    assert rows[(waiting.id, "sales")].finished
    # A lost lead tells nothing about how long winning takes: the model is of winning.
    assert not any(key == lost.id for key, _ in rows)


def test_a_cancelled_job_is_censored_at_its_cancellation(db: Session, crew: Crew) -> None:
    job = reroof(db, -40, (JobStage.CONTRACT_SIGNED, -30), (JobStage.CANCELLED, -26))
    [wait] = [row for row in observations(load_history(db, AS_OF), CUT) if row.stage == "wait"]
    assert (wait.key, wait.duration_days, wait.finished) == (job.id, 4, False)
    assert open_jobs(load_history(db, AS_OF), CUT) == []


def test_the_backlog_counts_signed_not_started_work_per_crew(db: Session, crew: Crew) -> None:
    make_crew(db, skills=[make_skill(db, code="metal")])  # another skill: not counted
    reroof(db, -30, (JobStage.CONTRACT_SIGNED, -20))
    reroof(db, -30, (JobStage.CONTRACT_SIGNED, -10), (JobStage.SCHEDULED, -5))
    reroof(db, -30, (JobStage.CONTRACT_SIGNED, -25), (JobStage.IN_PRODUCTION, -15))  # started
    [job] = [job for _, job in open_jobs(load_history(db, AS_OF), CUT) if job.elapsed_days == 20]
    assert job.ahead is not None
    assert job.ahead.backlog_per_crew == 2  # two waiting, one crew with the skill
    assert job.covariates.backlog_per_crew == 2  # when it was signed: itself and the started one
    # 24 squares at the crew's 20 a day: 1.2 crew-days each.
    assert job.ahead.backlog_days_per_crew == pytest.approx(2.4)
    assert job.ahead.crew_capacity == 20


def test_an_inspection_is_a_visit_not_a_production_job(db: Session) -> None:
    job = make_job(
        db, stage=JobStage.LEAD, job_type=JobType.INSPECTION, material=Material.OTHER, squares=None,
        stage_changed_at=day(-5),
    )  # fmt: skip
    move(db, job, JobStage.CONTRACT_SIGNED, -3)
    move(db, job, JobStage.SCHEDULED, -2)
    [(state, open_job)] = open_jobs(load_history(db, AS_OF), CUT)
    assert (open_job.stage, open_job.path) == ("visit", ("visit",))
    assert state.facts.skill is None
    assert open_job.elapsed_days == 3


def test_the_cut_is_midnight_utc_at_the_start_of_the_as_of_day() -> None:
    assert as_of_moment(AS_OF) == datetime(2025, 6, 1, tzinfo=UTC)
