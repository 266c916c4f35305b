"""What every signed-in page needs: who is looking, the company, and its clock and currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from roofops.auth.principal import Principal
from roofops.kit.time import as_utc
from roofops.models.enums import Role
from roofops.web.formatting import money

ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.OFFICE: "Office",
    Role.DISPATCHER: "Dispatcher",
    Role.FINANCE: "Finance",
    Role.CREW_LEAD: "Crew lead",
    Role.VIEWER: "Viewer",
}


@dataclass(frozen=True)
class PageContext:
    principal: Principal
    company_name: str = "roofops"
    time_zone: str = "UTC"
    currency: str = "USD"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.principal.role]

    @property
    def csrf_token(self) -> str:
        return self.principal.csrf_token or ""

    def can(self, allowed: frozenset[Role]) -> bool:
        return self.principal.role in allowed

    def local(self, value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p") -> str:
        """A timestamp as the office reads it: in the company's time zone."""
        if value is None:
            return "—"
        return as_utc(value).astimezone(ZoneInfo(self.time_zone)).strftime(fmt)

    def money(self, cents: int | None) -> str:
        return money(cents, self.currency)
