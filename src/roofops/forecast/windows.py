"""A run's completion windows for the pages: each open job's window with the job it is for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from roofops.forecast.results import JobCompletionForecast
from roofops.forecast.storage import stored_window
from roofops.forecast.window_repository import WindowRepository
from roofops.models.enums import JobType


@dataclass(frozen=True)
class JobWindow:
    number: str
    name: str
    job_type: JobType
    forecast: JobCompletionForecast


def job_windows(db: Session, run_id: uuid.UUID) -> list[JobWindow]:
    """Every window the run stored, soonest predicted finish first."""
    return [
        JobWindow(number, name, job_type, stored_window(row))
        for row, number, name, job_type in WindowRepository(db).for_run(run_id)
    ]
