"""The weekly executive report's deliveries: one row per week and recipient, written before
the mail leaves, so that a retried or doubled send never mails the same week twice."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import StrEnum, UTCDateTime, string_enum
from roofops.models.base import Base, UUIDPrimaryKey


class ReportDeliveryStatus(StrEnum):
    SENDING = "sending"  # recorded, handed to the mail server (or about to be)
    SENT = "sent"
    UNCERTAIN = "uncertain"  # the connection broke mid-send: it may have gone; never resent
    FAILED = "failed"  # the server refused it: nothing went out, the next run may try again


class WeeklyReportDelivery(UUIDPrimaryKey, Base):
    __tablename__ = "weekly_report_deliveries"
    __table_args__ = (sa.UniqueConstraint("week_start", "recipient"),)

    week_start: Mapped[date] = mapped_column(sa.Date)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    status: Mapped[ReportDeliveryStatus] = mapped_column(string_enum(ReportDeliveryStatus))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(sa.Text, default="")
