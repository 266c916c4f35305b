"""Performance analytics: per crew, per sales rep, cycle time per stage, backlog, drill-downs."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from roofops.models.enums import Role
from roofops.performance.results import (
    Backlog,
    CrewPerformance,
    DrillDown,
    Figure,
    RepPerformance,
    StageCycleTime,
)


class PerformanceService:
    def crews(
        self, db: Session, role: Role, period_start: date, period_end: date
    ) -> list[CrewPerformance]:
        """Every crew that completed work in the period (both ends inclusive)."""
        raise NotImplementedError

    def reps(
        self, db: Session, role: Role, period_start: date, period_end: date
    ) -> list[RepPerformance]:
        """Every sales rep with a lead, a decision or a final job in the period."""
        raise NotImplementedError

    def cycle_times(
        self, db: Session, period_start: date, period_end: date
    ) -> list[StageCycleTime]:
        """Days spent per stage, over the stage visits that ended in the period."""
        raise NotImplementedError

    def backlog(self, db: Session, as_of: date, *, role: Role | None = None) -> Backlog:
        """Signed, unfinished work at the end of ``as_of``; ``role`` None: money included."""
        raise NotImplementedError

    def drill_down(
        self,
        db: Session,
        role: Role,
        figure: Figure,
        *,
        period_start: date,
        period_end: date,
        subject: str = "",
    ) -> DrillDown:
        """The jobs behind one figure; ``subject`` is the crew id, the rep or the stage."""
        raise NotImplementedError


performance_service = PerformanceService()
