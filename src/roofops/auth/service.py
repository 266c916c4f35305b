"""Sign-in, sessions, API tokens and user accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes, audit_service
from roofops.auth.passwords import generate_password, hash_password, needs_rehash, verify_password
from roofops.auth.principal import Principal
from roofops.auth.repository import (
    ApiTokenRepository,
    LoginAttemptRepository,
    LoginAttemptScope,
    UserRepository,
    UserSessionRepository,
)
from roofops.auth.schemas import UserCreate, UserUpdate
from roofops.config import get_settings
from roofops.crew.service import require_branch
from roofops.exceptions import (
    Conflict,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    ValidationFailed,
)
from roofops.kit.crypto import random_token, sha256_hex
from roofops.kit.paging import Page, PageRequest, parse_sort
from roofops.kit.repository import found
from roofops.kit.schemas import MAX_EMAIL_LENGTH, NUL_REFUSED, normalized_email
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.models.enums import ActorType, Role
from roofops.models.user import ApiToken, LoginAttempt, User, UserSession

log = get_logger(__name__)
API_TOKEN_PREFIX = "rfo_"  # noqa: S105 (a public marker, not a secret)
USER_SORTS = ("email", "full_name", "role", "created_at", "last_login_at")
TOKEN_SORTS = ("created_at", "name", "last_used_at")
# Address-wide limit is looser than per-account: an office behind one NAT has many users.
IP_FAILURE_MULTIPLIER = 4
# An address that signed in to the account within this time is its owner's: the account-wide
# limit (which a distributed guesser trips) does not lock it out, only its own pair limit does.
KNOWN_ADDRESS_DAYS = 30
STAMP_USE_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewSession:
    raw_token: str
    session: UserSession


@dataclass(frozen=True)
class NewApiToken:
    raw_token: str
    token: ApiToken


@dataclass(frozen=True)
class ApiTokenAccess:
    principal: Principal
    token_id: uuid.UUID
    stamp_due: bool


@dataclass(frozen=True)
class UserFilters:
    q: str | None = None
    role: Role | None = None
    active: bool | None = None


def _sign_in_email(email: str, password: str) -> str:
    """The sign-in form is raw text: what no account can have is refused before any query."""
    if "\x00" in email or "\x00" in password:
        raise ValidationFailed(f"e-mail and password {NUL_REFUSED}")
    email = email.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH:
        raise NotAuthenticated("wrong e-mail or password")
    return email


def principal_for(
    user: User, *, actor_type: ActorType, session: UserSession | None = None
) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.full_name,
        role=user.role,
        actor_type=actor_type,
        session_id=session.id if session else None,
        csrf_token=session.csrf_token if session else None,
    )


class UserService:
    def create(
        self,
        db: Session,
        *,
        email: str,
        role: Role,
        full_name: str = "",
        password: str | None = None,
    ) -> tuple[User, str]:
        """Create an account; returns the user and the password (generated when none is given).

        The e-mail rule is the API's (``roofops.kit.schemas.normalized_email``), whoever calls.
        """
        users = UserRepository(db)
        email = normalized_email(email)
        if users.by_email(email) is not None:
            raise Conflict(f"a user with e-mail {email} already exists", field="email")
        password = password or generate_password()
        user = users.add(
            User(email=email, role=role, full_name=full_name, password_hash=hash_password(password))
        )
        log.info("auth.user.created", user_id=str(user.id), role=role.value)
        return user, password

    def ensure_first_admin(self, db: Session, email: str = "admin@roofops.local") -> str | None:
        """At first run make an admin with a random password; returns it, or None if users exist."""
        if UserRepository(db).count() > 0:
            return None
        _, password = self.create(db, email=email, role=Role.ADMIN, full_name="Administrator")
        return password

    def set_password(self, db: Session, email: str, password: str | None = None) -> str:
        """A new password ends every session and API token of the account: whoever knew the
        old one may have made them."""
        user = UserRepository(db).by_email(email.strip().lower())
        if user is None:
            raise NotFound(f"no user with e-mail {email}")
        password = password or generate_password()
        user.password_hash = hash_password(password)
        end_credentials(db, user, reason="password_changed")
        return password

    def list(self, db: Session) -> list[User]:
        return UserRepository(db).all()

    def search(self, db: Session, filters: UserFilters, page: PageRequest) -> Page[User]:
        sort = parse_sort(page.sort, USER_SORTS, "email")
        return UserRepository(db).search(filters.q, filters.role, filters.active, page, sort)

    def find_by_email(self, db: Session, email: str) -> User | None:
        return UserRepository(db).by_email(email)

    def get(self, db: Session, user_id: uuid.UUID) -> User:
        return found(UserRepository(db).get(user_id), "user")

    def add_user(
        self, db: Session, principal: Principal, data: UserCreate
    ) -> tuple[User, str | None]:
        """An admin creates an account; returns the generated password, or None if one was given."""
        if data.branch_id is not None:
            require_branch(db, data.branch_id)
        user, password = self.create(
            db, email=data.email, role=data.role, full_name=data.full_name, password=data.password
        )
        user.branch_id = data.branch_id
        audit_service.created(db, principal, "user", user.id)
        db.flush()
        return user, None if data.password else password

    def update(
        self, db: Session, principal: Principal, user_id: uuid.UUID, data: UserUpdate
    ) -> User:
        """Edit name, role, branch or active flag (audited); admins cannot lock themselves out."""
        user = self.get(db, user_id)
        values = data.changes()
        if user.id == principal.user_id:
            _refuse_self_lockout(user, values)
        if values.get("branch_id") is not None:
            require_branch(db, values["branch_id"])
        was_active = user.is_active
        audit_service.updated(db, principal, "user", user.id, apply_changes(user, values))
        if was_active and not user.is_active:
            # Reactivating later must not bring old sessions or tokens back to life.
            end_credentials(db, user, reason="deactivated")
        db.flush()
        return user


def end_credentials(db: Session, user: User, *, reason: str) -> None:
    """Sign the account out everywhere and revoke its API tokens (they stay listed, revoked)."""
    sessions = UserSessionRepository(db).delete_for_user(user.id)
    tokens = ApiTokenRepository(db).revoke_all_for_user(user.id, utcnow())
    db.flush()
    log.info(
        "auth.credentials.ended",
        user_id=str(user.id),
        reason=reason,
        sessions=sessions,
        tokens=tokens,
    )


def _refuse_self_lockout(user: User, values: dict[str, object]) -> None:
    if values.get("is_active") is False:
        raise Conflict("you cannot deactivate your own account", field="is_active")
    if values.get("role", user.role) != user.role:
        raise Conflict("you cannot change your own role; ask another admin", field="role")


class AuthService:
    def sign_in(
        self, db: Session, *, email: str, password: str, ip_address: str, user_agent: str
    ) -> NewSession:
        email, ip_address = _sign_in_email(email, password), ip_address[:64]
        self._check_rate_limit(db, email=email, ip_address=ip_address)
        user = UserRepository(db).by_email(email)
        ok = verify_password(user.password_hash if user else None, password)
        ok = ok and user is not None and user.is_active
        LoginAttemptRepository(db).add(
            LoginAttempt(email=email, ip_address=ip_address, succeeded=ok, attempted_at=utcnow())
        )
        if not ok or user is None:
            log.info("auth.sign_in.failed", email=email, ip=ip_address)
            raise NotAuthenticated("wrong e-mail or password")
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        log.info("auth.sign_in.succeeded", user_id=str(user.id), ip=ip_address)
        return self._open_session(db, user, ip_address=ip_address, user_agent=user_agent)

    def _check_rate_limit(self, db: Session, *, email: str, ip_address: str) -> None:
        window = timedelta(minutes=get_settings().login_window_minutes)
        since = utcnow() - window
        attempts = LoginAttemptRepository(db)
        scope = self._exceeded_limit(attempts, email=email, ip_address=ip_address, since=since)
        if scope is None:
            return
        oldest = attempts.oldest_failure_since(
            scope, email=email, ip_address=ip_address, since=since
        )
        retry_after = max(1, int((as_utc(oldest or utcnow()) + window - utcnow()).total_seconds()))
        log.warning("auth.sign_in.throttled", email=email, ip=ip_address, limit=scope)
        raise TooManyRequests(
            f"too many failed sign-ins; try again in {-(-retry_after // 60)} minute(s)",
            retry_after_seconds=retry_after,
        )

    def _exceeded_limit(
        self, attempts: LoginAttemptRepository, *, email: str, ip_address: str, since: datetime
    ) -> LoginAttemptScope | None:
        """Three limits: this e-mail from this address (the tight one), this address for any
        e-mail (one guesser trying many accounts), and this e-mail from every address (a
        distributed guesser), which spares the owner's known addresses: someone elsewhere
        cannot lock the owner out."""
        settings = get_settings()
        failures = attempts.recent_failures(email=email, ip_address=ip_address, since=since)
        if failures.pair >= settings.login_max_failures:
            return "pair"
        if failures.address >= settings.login_max_failures * IP_FAILURE_MULTIPLIER:
            return "address"
        if failures.account < settings.login_max_account_failures:
            return None
        return None if self._known_address(attempts, email, ip_address) else "account"

    def _known_address(self, attempts: LoginAttemptRepository, email: str, ip: str) -> bool:
        since = utcnow() - timedelta(days=KNOWN_ADDRESS_DAYS)
        return attempts.succeeded_since(email=email, ip_address=ip, since=since)

    def _open_session(
        self, db: Session, user: User, *, ip_address: str, user_agent: str
    ) -> NewSession:
        raw = random_token()
        now = utcnow()
        session = UserSessionRepository(db).add(
            UserSession(
                user_id=user.id,
                token_hash=sha256_hex(raw),
                csrf_token=random_token(24),
                created_at=now,
                expires_at=now + timedelta(hours=get_settings().session_ttl_hours),
                ip_address=ip_address[:64],
                user_agent=user_agent[:300],
            )
        )
        return NewSession(raw_token=raw, session=session)

    def principal_from_session_token(self, db: Session, raw_token: str) -> Principal | None:
        session = UserSessionRepository(db).live_by_token_hash(sha256_hex(raw_token), utcnow())
        if session is None or not session.user.is_active:
            return None
        return principal_for(session.user, actor_type=ActorType.USER, session=session)

    def sign_out(self, db: Session, session_id: uuid.UUID) -> None:
        sessions = UserSessionRepository(db)
        session = sessions.get(session_id)
        if session is not None:
            sessions.delete(session)

    def create_api_token(
        self, db: Session, *, user_id: uuid.UUID, name: str, expires_at: datetime | None = None
    ) -> NewApiToken:
        if expires_at is not None and expires_at <= utcnow():
            raise ValidationFailed("expires_at must be in the future", field="expires_at")
        raw = API_TOKEN_PREFIX + random_token()
        token = ApiTokenRepository(db).add(
            ApiToken(
                user_id=user_id,
                name=name,
                prefix=raw[:10],
                token_hash=sha256_hex(raw),
                created_at=utcnow(),
                expires_at=expires_at,
            )
        )
        log.info("auth.api_token.created", user_id=str(user_id), token_prefix=token.prefix)
        return NewApiToken(raw_token=raw, token=token)

    def list_api_tokens(self, db: Session, *, user_id: uuid.UUID) -> list[ApiToken]:
        """All of a user's tokens, oldest first, revoked and expired ones included."""
        return ApiTokenRepository(db).for_user(user_id)

    def api_tokens(
        self, db: Session, user_id: uuid.UUID, active: bool | None, page: PageRequest
    ) -> Page[ApiToken]:
        sort = parse_sort(page.sort, TOKEN_SORTS, "-created_at")
        return ApiTokenRepository(db).search_for_user(user_id, active, utcnow(), page, sort)

    def revoke_api_token(
        self, db: Session, *, token_id: uuid.UUID, owner_id: uuid.UUID | None = None
    ) -> None:
        """Revoke a token; with ``owner_id``, someone else's token is reported as not found."""
        token = ApiTokenRepository(db).get(token_id)
        if token is None or (owner_id is not None and token.user_id != owner_id):
            raise NotFound("no such API token")
        token.revoked_at = utcnow()
        db.flush()

    def api_token_access(self, db: Session, raw_token: str) -> ApiTokenAccess | None:
        """Who a bearer token speaks for, read only; the caller stamps the use
        (:meth:`stamp_api_token_use`) in a transaction that may write."""
        now = utcnow()
        token = ApiTokenRepository(db).usable_by_hash(sha256_hex(raw_token), now)
        if token is None or not token.user.is_active:
            return None
        # At most once a minute, so that a busy client does not write on every request.
        stamp_due = token.last_used_at is None or now - token.last_used_at > STAMP_USE_EVERY
        return ApiTokenAccess(
            principal=principal_for(token.user, actor_type=ActorType.API_TOKEN),
            token_id=token.id,
            stamp_due=stamp_due,
        )

    def stamp_api_token_use(self, db: Session, token_id: uuid.UUID) -> None:
        ApiTokenRepository(db).stamp_used(token_id, utcnow())

    # ----- housekeeping -------------------------------------------------------------------
    def purge_expired_sessions(self, db: Session) -> int:
        return UserSessionRepository(db).delete_expired(utcnow())

    def prune_login_attempts(self, db: Session, before: datetime) -> int:
        """Sign-in attempts older than ``before`` no longer count toward any limit."""
        return LoginAttemptRepository(db).delete_before(before)


auth_service = AuthService()
user_service = UserService()
