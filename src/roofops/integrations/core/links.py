"""Links between our rows and their records at a vendor (``ExternalRef``), read and written in
short transactions of their own: a push calls the vendor between them, never inside one."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.integrations.core.repository import ExternalRefRepository
from roofops.models.enums import Provider
from roofops.models.integration import ExternalRef


def linked_id(
    sessions: sessionmaker[Session], source: Provider, local_type: str, local_id: uuid.UUID
) -> str | None:
    """The vendor's id of our row, if a sync or a push has linked them."""
    with sessions() as db:
        ref = ExternalRefRepository(db).for_local(source, local_type, local_id)
        return ref.external_id if ref else None


def link(
    sessions: sessionmaker[Session],
    source: Provider,
    local_type: str,
    external_id: str,
    local_id: uuid.UUID,
) -> None:
    """Remember the vendor's record of our row (kept as it is when already linked)."""
    with sessions.begin() as db:
        if ExternalRefRepository(db).lookup(source, local_type, [external_id]):
            return
        try:
            with db.begin_nested():
                db.add(
                    ExternalRef(
                        source=source,
                        local_type=local_type,
                        external_id=external_id,
                        local_id=local_id,
                    )
                )
        except sa.exc.IntegrityError:
            return  # another push linked it first: the same record
