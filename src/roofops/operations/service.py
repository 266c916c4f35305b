"""The operations snapshot: today's crews and their state, jobs in production, alerts and the
map of today's work, for one viewer (what they may see decides the alerts and the amounts)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.kit.time import utcnow
from roofops.operations.results import OperationsSnapshot


class OperationsService:
    def snapshot(
        self,
        db: Session,  # noqa: ARG002 (the first commit fixes the interface; reads come next)
        principal: Principal,
        day: date,
        branch_id: uuid.UUID | None = None,
    ) -> OperationsSnapshot:
        """Everything the dashboard shows for ``day`` (company-local), optionally one branch."""
        principal.require(Permission.VIEW_JOBS)
        return OperationsSnapshot(
            day=day,
            branch_id=branch_id,
            generated_at=utcnow(),
            crews=(),
            jobs=(),
            alerts=(),
            map_points=(),
            with_money=principal.can(Permission.VIEW_MONEY),
        )


operations_service = OperationsService()
