"""Which roles may do what. One place to read, one place to change."""

from __future__ import annotations

from roofops.models.enums import Role

ALL_ROLES = frozenset(Role)
READ = ALL_ROLES
MANAGE_JOBS = frozenset({Role.ADMIN, Role.OFFICE})
MOVE_JOB_STAGE = frozenset({Role.ADMIN, Role.OFFICE, Role.DISPATCHER, Role.CREW_LEAD})
MANAGE_CUSTOMERS = frozenset({Role.ADMIN, Role.OFFICE})
MANAGE_CREWS = frozenset({Role.ADMIN, Role.OFFICE, Role.DISPATCHER})
MANAGE_COMPANY = frozenset({Role.ADMIN})
MANAGE_USERS = frozenset({Role.ADMIN})
FINANCE = frozenset({Role.ADMIN, Role.FINANCE})
VIEW_INTEGRATIONS = frozenset({Role.ADMIN, Role.OFFICE, Role.FINANCE})
RUN_SYNC = frozenset({Role.ADMIN, Role.OFFICE, Role.FINANCE})
MANAGE_INTEGRATIONS = frozenset({Role.ADMIN})
