"""Band calibration on the database: learned only from the past the origin knows (nested), and
as simulated when that past is too short (real database, hand-built shop)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.forecast.completion import forecast_completions
from roofops.forecast.projection_calibration import (
    Calibration,
    actuals_at,
    calibrate,
    inner_origins,
)
from roofops.forecast.projection_inputs import load_history
from roofops.forecast.projections import forecast_revenue
from roofops.models import JobStage
from tests.factories import make_crew, make_skill
from tests.forecast.test_projections import AS_OF, _at, _invoice, _job, _move

S = JobStage


@pytest.fixture
def long_shop(db: Session) -> None:
    """A roofer with 70 weeks of steady work: a job sold and done every two weeks."""
    crew = make_crew(db, skills=[make_skill(db, code="asphalt_shingle")])
    crew.created_at = _at(AS_OF - timedelta(days=600))
    for lead in range(-490, -20, 14):
        moves = [(S.LEAD, lead), (S.CONTRACT_SIGNED, lead + 6)]
        moves += [(S.IN_PRODUCTION, lead + 20), (S.COMPLETED, lead + 22)]
        job = _job(db, moves, 1_000_000 + 20_000 * (lead % 5))
        _invoice(db, job, job.contract_cents or 0, AS_OF + timedelta(days=lead + 25))


def test_too_short_a_past_leaves_the_bands_as_simulated(db: Session) -> None:
    _job(db, [(S.LEAD, -40), (S.CONTRACT_SIGNED, -30)], 1_500_000)
    history = load_history(db)
    assert inner_origins(history, AS_OF) == []
    assert calibrate(db, history, AS_OF) == Calibration()
    weekly, _ = forecast_revenue(db, AS_OF, forecast_completions(db, AS_OF))
    assert "Bands as simulated" in weekly.definition


def test_calibration_learns_only_from_the_past_of_the_origin(db: Session, long_shop: None) -> None:
    history = load_history(db)
    origins = inner_origins(history, AS_OF)
    assert len(origins) == 6
    assert max(origins) + timedelta(weeks=13) <= AS_OF  # their 12 weeks are over by then
    before = calibrate(db, history, AS_OF)
    assert before.weekly.points >= 30  # really calibrated: the test below can fail

    late = _job(db, [(S.LEAD, -30), (S.CONTRACT_SIGNED, -25)], 5_000_000)
    _move(db, late, S.COMPLETED, AS_OF)
    _invoice(db, late, 9_000_000, AS_OF)
    _invoice(db, late, 7_000_000, AS_OF + timedelta(days=3))
    assert calibrate(db, load_history(db), AS_OF) == before


def test_the_actuals_are_those_known_at_the_origin(db: Session, long_shop: None) -> None:
    history = load_history(db)
    known = actuals_at(history, date(2026, 6, 1))
    assert max(m.day for m in known.money) < date(2026, 6, 1)
    assert known.seen(date(2026, 5, 31))
    assert not known.seen(date(2026, 6, 1))
