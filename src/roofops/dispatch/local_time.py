"""The company's wall clock: route minutes and calendar days are the company's local time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.company.service import company_service


def company_now(db: Session) -> datetime:
    return datetime.now(ZoneInfo(company_service.get(db).time_zone))
