"""Queries for audit rows."""

from __future__ import annotations

import sqlalchemy as sa

from roofops.kit.repository import Repository
from roofops.models.audit import AuditLog


class AuditLogRepository(Repository[AuditLog]):
    model = AuditLog

    def for_entity(self, entity_type: str, entity_id: str) -> list[AuditLog]:
        return list(
            self.session.scalars(
                sa.select(AuditLog)
                .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == entity_id)
                .order_by(AuditLog.occurred_at, AuditLog.id)
            )
        )
