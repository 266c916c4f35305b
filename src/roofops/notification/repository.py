"""Queries for notifications and the people they go to."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from roofops.kit.repository import Repository, in_chunks
from roofops.models.notification import Notification
from roofops.models.user import User


class NotificationRepository(Repository[Notification]):
    model = Notification

    def active_users(self, user_ids: Iterable[uuid.UUID]) -> list[User]:
        """The active users among ``user_ids``: deactivated people are told nothing."""
        users: list[User] = []
        for chunk in in_chunks(user_ids):
            statement = sa.select(User).where(User.id.in_(chunk), User.is_active.is_(True))
            users.extend(self.session.scalars(statement))
        return sorted(users, key=lambda user: str(user.id))

    def for_user(
        self, user_id: uuid.UUID, limit: int, *, unread_only: bool = False
    ) -> list[Notification]:
        """The user's notifications, newest first."""
        statement = (
            sa.select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
        if unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        return list(self.session.scalars(statement))

    def unread_count(self, user_id: uuid.UUID) -> int:
        statement = sa.select(sa.func.count()).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        return int(self.session.scalar(statement) or 0)

    def mark_read(self, user_id: uuid.UUID, ids: Iterable[uuid.UUID] | None, at: datetime) -> int:
        """Mark the user's unread notifications read (those of ``ids``, or all): how many."""
        statement = (
            sa.update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=at)
            .execution_options(synchronize_session=False)
        )
        if ids is not None:
            wanted = list(set(ids))
            if not wanted:
                return 0
            statement = statement.where(Notification.id.in_(wanted))
        result = self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    def own(self, user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification | None:
        statement = sa.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
        return self.session.scalars(statement).first()

    def locked(self, notification_id: uuid.UUID) -> Notification | None:
        """The row under lock: two runs of its e-mail job serialize on it (PostgreSQL)."""
        statement = (
            sa.select(Notification).where(Notification.id == notification_id).with_for_update()
        )
        return self.session.scalars(statement).first()

    def recipient_email(self, user_id: uuid.UUID) -> str:
        return str(self.session.scalar(sa.select(User.email).where(User.id == user_id)) or "")
