"""Which user leads which crew.

A crew records its lead by name (``crews.lead_name``, as the CRM and the payroll books spell
it); users have no crew column. So a user *leads* a crew when the user is an active crew_lead
whose full name is the crew's lead name (case and spacing ignored) and, when the user belongs
to a branch, the crew is in that branch (two Carlos Garcias in two yards lead different crews).
A crew_lead account is how a lead receives schedule e-mails and acknowledges for the crew;
admins and dispatchers acknowledge for any crew (they take the call when a lead phones in).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.dispatch.field_repository import FieldRepository
from roofops.exceptions import PermissionDenied
from roofops.models.crew import Crew
from roofops.models.enums import Role
from roofops.models.user import User


def same_name(left: str, right: str) -> bool:
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def leads(user: User, crew: Crew) -> bool:
    """Whether ``user`` is the crew's lead (see the module docstring)."""
    return (
        user.is_active
        and user.role == Role.CREW_LEAD
        and bool(crew.lead_name.strip())
        and same_name(user.full_name, crew.lead_name)
        and (user.branch_id is None or user.branch_id == crew.branch_id)
    )


def lead_emails(repository: FieldRepository, crew: Crew) -> list[str]:
    """The e-mail of each account that leads ``crew`` (usually one; none when the lead has no
    account)."""
    if not crew.lead_name.strip():
        return []
    return [user.email for user in repository.crew_lead_users() if leads(user, crew)]


def require_acts_for(
    db: Session, principal: Principal, crew: Crew, permission: Permission, act: str
) -> None:
    """403 unless the principal holds ``permission`` and may ``act`` for ``crew`` (report,
    acknowledge): a crew lead only for the crew they lead, other roles for any crew."""
    principal.require(permission)
    if principal.role != Role.CREW_LEAD:
        return
    user = FieldRepository(db).user(principal.user_id) if principal.user_id else None
    if user is None or not leads(user, crew):
        raise PermissionDenied(
            f"only the lead of {crew.name} ({crew.lead_name or 'no lead recorded'}), a "
            f"dispatcher or an admin can {act} for this crew",
            permission=permission.value,
        )
