"""Who is acting: passed from the entry point into services for checks, audit and stage events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

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

    def require(self, allowed: frozenset[Role]) -> None:
        if self.role not in allowed:
            raise PermissionDenied(
                f"your role ({self.role.value}) cannot do this; it needs one of: "
                + ", ".join(sorted(role.value for role in allowed))
            )


SYSTEM = Principal(
    user_id=None,
    email="system@roofops",
    name="roofops",
    role=Role.ADMIN,
    actor_type=ActorType.SYSTEM,
)
