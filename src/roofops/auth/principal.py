"""Who is acting: passed from the entry point into services for checks, audit and stage events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from roofops.auth.permissions import Permission
from roofops.exceptions import PermissionDenied
from roofops.models.enums import ActorType, Role


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID | None
    email: str
    name: str
    role: Role
    actor_type: ActorType
    session_id: uuid.UUID | None = None
    csrf_token: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.email

    def can(self, permission: Permission) -> bool:
        return permission.allows(self.role)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(permission.refusal(self.role), permission=permission.value)


SYSTEM = Principal(
    user_id=None,
    email="system@roofops",
    name="roofops",
    role=Role.ADMIN,
    actor_type=ActorType.SYSTEM,
)

# An operator at the server's shell (roofops invoices ...): audited as the command line.
COMMAND_LINE = Principal(
    user_id=None,
    email="cli@roofops",
    name="command line",
    role=Role.ADMIN,
    actor_type=ActorType.SYSTEM,
)


def sync_principal(vendor: str) -> Principal:
    """Who acts when a vendor's sync ("JobNimbus", "QuickBooks": the vendor's name as spelled)
    changes our data on the vendor's say: audited and shown as that sync."""
    return Principal(
        user_id=None,
        email=f"{vendor.lower()}-sync@roofops",
        name=f"{vendor} sync",
        role=Role.ADMIN,
        actor_type=ActorType.SYNC,
    )
