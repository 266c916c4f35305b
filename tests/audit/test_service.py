"""The audit helpers: JSON-safe values and change detection."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes, audit_service, jsonable
from roofops.auth.principal import SYSTEM
from roofops.models import ActorType, JobStage


def test_jsonable_keeps_exact_values() -> None:
    key = uuid.uuid4()
    when = datetime(2025, 5, 1, 12, tzinfo=UTC)
    value = {"a": [Decimal("1.10"), key], "b": JobStage.PAID, "c": when}
    assert jsonable(value) == {"a": ["1.10", str(key)], "b": "paid", "c": when.isoformat()}


def test_apply_changes_sets_and_reports_only_differences() -> None:
    entity = SimpleNamespace(name="a", size=1)
    changes = apply_changes(entity, {"name": "b", "size": 1})
    assert changes == {"name": {"old": "a", "new": "b"}}
    assert entity.name == "b"


def test_record_and_history(db: Session) -> None:
    audit_service.updated(db, SYSTEM, "thing", "t-1", {})
    audit_service.updated(db, SYSTEM, "thing", "t-1", {"x": {"old": 1, "new": 2}}, reason="why")
    [row] = audit_service.history(db, "thing", "t-1")
    assert (row.action, row.actor_type, row.actor_label, row.reason) == (
        "thing.updated",
        ActorType.SYSTEM,
        "roofops",
        "why",
    )
