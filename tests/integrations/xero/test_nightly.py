"""The nightly full read of Xero: at the configured hour of the company's day, and only once
Xero is connected to an organisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.integrations.xero import tasks
from roofops.models import ConnectionStatus, IntegrationConnection, Provider, SyncKind, SyncRun


def _local_tick(db: Session, hour: int) -> datetime:
    zone = ZoneInfo(company_service.get(db).time_zone)
    return datetime(2026, 3, 3, hour, tzinfo=zone).astimezone(UTC)


def _runs(db: Session) -> list[SyncKind]:
    return list(db.scalars(sa.select(SyncRun.kind).where(SyncRun.provider == Provider.XERO)))


def test_the_nightly_full_read_waits_for_a_connection_and_its_hour(db: Session) -> None:
    hour = get_settings().xero_nightly_sync_hour
    tasks.nightly(db, _local_tick(db, hour))
    assert _runs(db) == []  # nothing connected

    connection = IntegrationConnection(provider=Provider.XERO, status=ConnectionStatus.CONNECTED)
    connection.account_id, connection.account_name = "tenant-1", "Summit Roofing"
    db.add(connection)
    db.flush()
    tasks.nightly(db, _local_tick(db, hour) + timedelta(hours=1))
    assert _runs(db) == []  # not its hour

    tasks.nightly(db, _local_tick(db, hour))
    assert _runs(db) == [SyncKind.FULL]
