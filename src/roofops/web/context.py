"""What every signed-in page needs: who is looking, the company, and its clock and currency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from roofops.auth.permissions import Permission
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
    # The header bell's count is a query: read only when a template shows the bell (htmx
    # fragments, most requests of a page, never do).
    count_unread: Callable[[], int] = field(default=lambda: 0, compare=False, repr=False)

    @cached_property
    def unread_notifications(self) -> int:
        return self.count_unread()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.principal.role]

    @property
    def csrf_token(self) -> str:
        return self.principal.csrf_token or ""

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)

    def local(self, value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p") -> str:
        """A timestamp as the office reads it: in the company's time zone."""
        if value is None:
            return "—"
        return as_utc(value).astimezone(ZoneInfo(self.time_zone)).strftime(fmt)

    def money(self, cents: int | None) -> str:
        """The one door money takes onto a page: a template that shows a figure to a role
        without view_money fails loudly (403) instead of leaking it."""
        self.principal.require(Permission.VIEW_MONEY)
        return money(cents, self.currency)
