"""Record changes made by people, tokens, syncs and the system, with old and new values."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from roofops.audit.repository import AuditLogRepository
from roofops.auth.principal import Principal
from roofops.kit.time import utcnow
from roofops.models.audit import AuditLog

Changes = dict[str, dict[str, Any]]


def jsonable(value: Any) -> Any:
    """Audit rows are JSON: keep exact values as strings (Decimal, UUID) and enums as values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def change(old: Any, new: Any) -> dict[str, Any]:
    return {"old": jsonable(old), "new": jsonable(new)}


def apply_changes(entity: object, values: Mapping[str, Any]) -> Changes:
    """Set each attribute; return ``{field: {"old": ..., "new": ...}}`` for those that changed."""
    changes: Changes = {}
    for field, new in values.items():
        old = getattr(entity, field)
        if old != new:
            setattr(entity, field, new)
            changes[field] = change(old, new)
    return changes


class AuditService:
    def record(
        self,
        db: Session,
        principal: Principal,
        *,
        action: str,
        entity_type: str,
        entity_id: object,
        changes: Changes | None = None,
        reason: str = "",
    ) -> AuditLog:
        return AuditLogRepository(db).add(
            AuditLog(
                occurred_at=utcnow(),
                actor_type=principal.actor_type,
                actor_id=principal.user_id,
                actor_label=principal.label,
                action=action,
                entity_type=entity_type,
                entity_id=str(entity_id),
                changes=changes or {},
                reason=reason,
            )
        )

    def created(
        self, db: Session, principal: Principal, entity_type: str, entity_id: object
    ) -> None:
        self.record(
            db,
            principal,
            action=f"{entity_type}.created",
            entity_type=entity_type,
            entity_id=entity_id,
        )

    def updated(
        self,
        db: Session,
        principal: Principal,
        entity_type: str,
        entity_id: object,
        changes: Changes,
        *,
        reason: str = "",
    ) -> None:
        """An ``<entity>.updated`` row with old and new values, only when something changed."""
        if changes:
            self.record(
                db,
                principal,
                action=f"{entity_type}.updated",
                entity_type=entity_type,
                entity_id=entity_id,
                changes=changes,
                reason=reason,
            )

    def history(self, db: Session, entity_type: str, entity_id: object) -> list[AuditLog]:
        return AuditLogRepository(db).for_entity(entity_type, str(entity_id))


audit_service = AuditService()
