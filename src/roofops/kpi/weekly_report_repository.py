"""Queries for the weekly executive report's deliveries (one row per week and recipient)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from roofops.kit.repository import Repository
from roofops.models.executive_report import ReportDeliveryStatus, WeeklyReportDelivery


class WeeklyReportDeliveryRepository(Repository[WeeklyReportDelivery]):
    model = WeeklyReportDelivery

    def claim(self, week_start: date, recipient: str, now: datetime) -> bool:
        """True for the one caller that may mail this week to this recipient: its row went in,
        or it took over a row whose earlier send the server refused (nothing went out)."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        inserted = self.session.execute(
            insert(WeeklyReportDelivery)
            .values(
                id=uuid.uuid4(),
                week_start=week_start,
                recipient=recipient,
                status=ReportDeliveryStatus.SENDING,
                attempted_at=now,
                error="",
            )
            .on_conflict_do_nothing(index_elements=["week_start", "recipient"])
            .returning(WeeklyReportDelivery.id)
        ).scalar()
        if inserted is not None:
            return True
        retried = self.session.execute(
            sa.update(WeeklyReportDelivery)
            .where(
                WeeklyReportDelivery.week_start == week_start,
                WeeklyReportDelivery.recipient == recipient,
                WeeklyReportDelivery.status == ReportDeliveryStatus.FAILED,
            )
            .values(status=ReportDeliveryStatus.SENDING, attempted_at=now, error="")
        )
        return retried.rowcount == 1  # type: ignore[attr-defined, no-any-return]

    def settle(
        self,
        week_start: date,
        recipient: str,
        status: ReportDeliveryStatus,
        *,
        sent_at: datetime | None = None,
        error: str = "",
    ) -> None:
        self.session.execute(
            sa.update(WeeklyReportDelivery)
            .where(
                WeeklyReportDelivery.week_start == week_start,
                WeeklyReportDelivery.recipient == recipient,
            )
            .values(status=status, sent_at=sent_at, error=error)
        )

    def for_week(self, week_start: date) -> list[WeeklyReportDelivery]:
        return list(
            self.session.scalars(
                sa.select(WeeklyReportDelivery)
                .where(WeeklyReportDelivery.week_start == week_start)
                .order_by(WeeklyReportDelivery.recipient)
            )
        )
