"""Rows -> the scheduling problem: working days, crews' availability, phases, dates, locks,
weather days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.dispatch.inputs import ScheduleInputs, load_schedule_inputs, task_key
from roofops.dispatch.weather import NoWeather, UnworkableDays, WeatherOutlook, WorkSite
from roofops.engines.scheduling.model import ScheduleWeights
from roofops.models import CrewTimeOff, Holiday
from roofops.models.dispatch import Phase, TimeOffKind
from tests.dispatch.conftest import MONDAY, Shop
from tests.factories import make_requirements


class RainOnWednesday:
    """A forecast with rain on the first Wednesday everywhere (a WeatherOutlook)."""

    def unworkable_days(
        self, session: Session, sites_with_material: Sequence[WorkSite], days: Sequence[date]
    ) -> UnworkableDays:
        wednesday = MONDAY + timedelta(days=2)
        return {(site.key, wednesday): "rain 80 %" for site in sites_with_material}


def _load(db: Session, weather: WeatherOutlook | None = None, days: int = 14) -> ScheduleInputs:
    return load_schedule_inputs(
        db,
        MONDAY,
        days,
        weather=weather or NoWeather(),
        weights=ScheduleWeights(),
        published=None,
    )


def test_working_days_skip_weekends_and_holidays(db: Session, shop: Shop) -> None:
    db.add(Holiday(on=MONDAY + timedelta(days=3), name="Company picnic"))
    db.flush()
    inputs = _load(db)
    assert len(inputs.problem.days) == 9  # two weeks of five, less the Thursday holiday
    assert all(day.isoweekday() <= 5 for day in inputs.problem.days)
    assert MONDAY + timedelta(days=3) not in inputs.problem.days


def test_crew_time_off_and_weekdays_make_days_unavailable(db: Session, shop: Shop) -> None:
    shop.metal.working_weekdays = "1234"  # no Fridays
    db.add(
        CrewTimeOff(
            crew_id=shop.shingle.id,
            starts_on=MONDAY + timedelta(days=1),
            ends_on=MONDAY + timedelta(days=2),
            kind=TimeOffKind.SICK,
        )
    )
    db.flush()
    problem = _load(db).problem
    assert problem.crew(str(shop.shingle.id)).unavailable == {1, 2}
    assert problem.crew(str(shop.metal.id)).unavailable == {4, 9}


def test_phases_skills_and_precedence(db: Session, shop: Shop) -> None:
    reroof, _, metal, repair = shop.jobs
    make_requirements(db, reroof, with_gutters=True)
    inputs = _load(db)
    install = inputs.problem.task(task_key(reroof, Phase.INSTALL))
    gutters = inputs.problem.task(task_key(reroof, Phase.GUTTERS))
    assert install.required_skills == {"asphalt_shingle"}
    assert gutters.required_skills == {"gutters"}
    assert gutters.predecessors == (install.id,)
    assert inputs.problem.task(task_key(metal, Phase.INSTALL)).required_skills == {"metal"}
    assert repair.id not in {ref.job_id for ref in inputs.tasks.values()}


def test_dates_priority_and_locks(db: Session, shop: Shop) -> None:
    job = shop.jobs[0]
    make_requirements(
        db,
        job,
        materials_ready_on=MONDAY + timedelta(days=2),
        permit_ready_on=MONDAY + timedelta(days=7),  # the next Monday: index 5
        promised_by=MONDAY + timedelta(days=9),  # Wednesday of week two: index 7
        locked_crew_id=shop.shingle.id,
    )
    inputs = _load(db)
    task = inputs.problem.task(task_key(job, Phase.INSTALL))
    assert (task.earliest, task.promised) == (5, 7)
    assert task.lock is not None
    assert (task.lock.crew_id, task.lock.start) == (str(shop.shingle.id), None)
    assert "permit ready on" in inputs.notes[job.id]


def test_weather_days_are_forbidden_per_material(db: Session, shop: Shop) -> None:
    inputs = _load(db, RainOnWednesday())
    for task in inputs.problem.tasks:
        assert task.forbidden_days == {2: "rain 80 %"}
    assert {t.id for t in inputs.problem.tasks} == {
        task_key(job, Phase.INSTALL) for job in shop.jobs[:3]
    }
