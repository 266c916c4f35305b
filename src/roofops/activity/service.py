"""Writing to and reading a job's activity feed.

Every writer (notes, crews' field reports, photos, handoffs, schedule publishes, syncs, the
customer portal) records through :func:`ActivityService.record`, in the same transaction as the
change it describes, and the feed announces it live (``job.activity``, ids only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from roofops.activity.repository import ActivityRepository
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.events.bus import publish
from roofops.kit.time import utcnow
from roofops.models.activity import ActivityKind, JobActivity

ACTIVITY_TOPIC = "job.activity"
FEED_LIMIT = 100


class ActivityService:
    def record(
        self,
        db: Session,
        job_id: uuid.UUID,
        kind: ActivityKind,
        body: str,
        *,
        by: Principal,
        data: dict[str, Any] | None = None,
        occurred_at: datetime | None = None,
    ) -> JobActivity:
        """Add an entry to the job's feed; it is seen live once ``db`` commits."""
        activity = ActivityRepository(db).add(
            JobActivity(
                job_id=job_id,
                kind=kind,
                body=body,
                data=data or {},
                occurred_at=occurred_at or utcnow(),
                actor_type=by.actor_type,
                actor_id=by.user_id,
                actor_label=by.label,
            )
        )
        publish(
            db,
            ACTIVITY_TOPIC,
            {"job_id": str(job_id), "activity_id": str(activity.id), "kind": kind.value},
            seen_with=Permission.VIEW_JOBS,
        )
        return activity

    def recent(self, db: Session, job_id: uuid.UUID, limit: int = FEED_LIMIT) -> list[JobActivity]:
        """The job's activities, newest first (stage changes are in the job's stage history)."""
        return ActivityRepository(db).for_job(job_id, limit)


activity_service = ActivityService()
