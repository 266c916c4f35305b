"""Queries for users, sessions, API tokens and sign-in attempts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from roofops.kit.paging import Page, PageRequest, SortSpec
from roofops.kit.repository import Repository
from roofops.kit.search import matches_any
from roofops.models.enums import Role
from roofops.models.user import ApiToken, LoginAttempt, User, UserSession


class UserRepository(Repository[User]):
    model = User

    def by_email(self, email: str) -> User | None:
        return self.session.scalar(sa.select(User).where(User.email == email.lower()))

    def count(self) -> int:
        return self.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0

    def all(self) -> list[User]:
        return list(self.session.scalars(sa.select(User).order_by(User.email)))

    def search(
        self,
        q: str | None,
        role: Role | None,
        active: bool | None,
        page: PageRequest,
        sort: SortSpec,
    ) -> Page[User]:
        statement = sa.select(User)
        if q:
            statement = statement.where(matches_any(q, User.email, User.full_name))
        if role is not None:
            statement = statement.where(User.role == role)
        if active is not None:
            statement = statement.where(User.is_active.is_(active))
        return self.paginate(statement, page, sort)


class UserSessionRepository(Repository[UserSession]):
    model = UserSession

    def live_by_token_hash(self, token_hash: str, now: datetime) -> UserSession | None:
        return self.session.scalar(
            sa.select(UserSession)
            .options(joinedload(UserSession.user))
            .where(UserSession.token_hash == token_hash, UserSession.expires_at > now)
        )

    def delete_expired(self, now: datetime) -> int:
        result = self.session.execute(sa.delete(UserSession).where(UserSession.expires_at <= now))
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def delete_for_user(self, user_id: uuid.UUID) -> int:
        result = self.session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))
        return result.rowcount  # type: ignore[attr-defined, no-any-return]


class ApiTokenRepository(Repository[ApiToken]):
    model = ApiToken

    def usable_by_hash(self, token_hash: str, now: datetime) -> ApiToken | None:
        return self.session.scalar(
            sa.select(ApiToken)
            .options(joinedload(ApiToken.user))
            .where(
                ApiToken.token_hash == token_hash,
                ApiToken.revoked_at.is_(None),
                sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
            )
        )

    def stamp_used(self, token_id: uuid.UUID, now: datetime) -> None:
        self.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        )

    def search_for_user(
        self,
        user_id: uuid.UUID,
        active: bool | None,
        now: datetime,
        page: PageRequest,
        sort: SortSpec,
    ) -> Page[ApiToken]:
        usable = sa.and_(
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
        statement = sa.select(ApiToken).where(ApiToken.user_id == user_id)
        if active is not None:
            statement = statement.where(usable if active else sa.not_(usable))
        return self.paginate(statement, page, sort)

    def revoke_all_for_user(self, user_id: uuid.UUID, now: datetime) -> int:
        result = self.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def for_user(self, user_id: object) -> list[ApiToken]:
        return list(
            self.session.scalars(
                sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
            )
        )


# Which failures a sign-in limit counts: this e-mail from this address, this e-mail from
# anywhere, or anything from this address.
LoginAttemptScope = Literal["pair", "account", "address"]


@dataclass(frozen=True)
class RecentFailures:
    pair: int
    account: int
    address: int


class LoginAttemptRepository(Repository[LoginAttempt]):
    model = LoginAttempt

    def recent_failures(self, *, email: str, ip_address: str, since: datetime) -> RecentFailures:
        """Failures since ``since``, counted for each scope in one query."""
        by_email, by_ip = LoginAttempt.email == email, LoginAttempt.ip_address == ip_address
        row = self.session.execute(
            sa.select(
                _count_where(sa.and_(by_email, by_ip)), _count_where(by_email), _count_where(by_ip)
            ).where(
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at > since,
                sa.or_(by_email, by_ip),
            )
        ).one()
        return RecentFailures(pair=row[0] or 0, account=row[1] or 0, address=row[2] or 0)

    def oldest_failure_since(
        self, scope: LoginAttemptScope, *, email: str, ip_address: str, since: datetime
    ) -> datetime | None:
        return self.session.scalar(
            sa.select(sa.func.min(LoginAttempt.attempted_at)).where(
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at > since,
                *_scope_filter(scope, email, ip_address),
            )
        )

    def succeeded_since(self, *, email: str, ip_address: str, since: datetime) -> bool:
        found = self.session.scalar(
            sa.select(LoginAttempt.id)
            .where(
                LoginAttempt.succeeded.is_(True),
                LoginAttempt.attempted_at > since,
                LoginAttempt.email == email,
                LoginAttempt.ip_address == ip_address,
            )
            .limit(1)
        )
        return found is not None

    def delete_before(self, cutoff: datetime) -> int:
        result = self.session.execute(
            sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < cutoff)
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]


def _count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _scope_filter(
    scope: LoginAttemptScope, email: str, ip_address: str
) -> list[sa.ColumnElement[bool]]:
    by_email, by_ip = LoginAttempt.email == email, LoginAttempt.ip_address == ip_address
    return {"pair": [by_email, by_ip], "account": [by_email], "address": [by_ip]}[scope]
