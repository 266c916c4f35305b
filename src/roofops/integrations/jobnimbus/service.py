"""JobNimbus: the connection (API key), the status map, and running syncs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.exceptions import ConfigurationError, ValidationFailed
from roofops.integrations.core.connections import ConnectionView
from roofops.integrations.core.credentials import read_credentials, secret_box, write_credentials
from roofops.integrations.core.repository import ConnectionRepository, SyncCursorRepository
from roofops.integrations.core.runs import SyncRunRecorder, latest_run
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.repository import StatusMappingRepository
from roofops.integrations.jobnimbus.status_map import DEFAULT_STATUS_MAP, stage_for
from roofops.integrations.jobnimbus.sync import SyncPass
from roofops.kit.http import RetryPolicy, VendorAuthError, VendorError
from roofops.kit.time import as_utc
from roofops.logging import get_logger
from roofops.models.crm import CrmStatusMapping
from roofops.models.enums import ConnectionStatus, JobStage, Provider
from roofops.models.integration import IntegrationConnection

log = get_logger(__name__)
PROVIDER = Provider.JOBNIMBUS
SYNC_TASK = "jobnimbus.sync"
REFUSED_KEY = (
    "JobNimbus refused the API key (HTTP 401). Create a new key in JobNimbus under Settings > "
    "API and enter it in roofops under Settings > Integrations."
)
NOT_CONNECTED = (
    "JobNimbus is not connected: enter an API key in Settings > Integrations "
    "(or set ROOFOPS_JOBNIMBUS_API_KEY)"
)
ClientFactory = Callable[[str, str], JobNimbusClient]
# A background sync rides out a 429 storm rather than fail the run: Retry-After honoured up to a
# minute, else full jitter up to a minute, for 4 minutes; the run beats its heartbeat every page,
# and 4 minutes stay inside the 5 after which a silent run counts as dead (runs.STALE_AFTER)...
SYNC_RETRY = RetryPolicy(give_up_after=240.0, base_delay=0.5, max_delay=60.0)
# ...but someone checking a key on the Integrations page is waiting for the answer.
CHECK_RETRY = RetryPolicy(give_up_after=5.0, base_delay=0.25, max_delay=2.0)


@dataclass(frozen=True)
class JobNimbusConnectionView(ConnectionView):
    # ``origin``: "ui", "env", "demo" or "" (no key anywhere)
    base_url: str
    key_hint: str  # the last 4 characters, so people can tell keys apart
    scheduled: bool
    every_minutes: int


@dataclass(frozen=True)
class Credentials:
    api_key: str
    base_url: str
    origin: str


def default_client(api_key: str, base_url: str) -> JobNimbusClient:
    return JobNimbusClient(api_key, base_url=base_url, retry=SYNC_RETRY)


def checking_client(api_key: str, base_url: str) -> JobNimbusClient:
    return JobNimbusClient(api_key, base_url=base_url, retry=CHECK_RETRY)


class JobNimbusService:
    # ----- connection ---------------------------------------------------------------------
    def view(self, db: Session, settings: Settings) -> JobNimbusConnectionView:
        connection = ConnectionRepository(db).by_provider(PROVIDER)
        credentials = self._credentials(connection, settings)
        status = connection.status if connection else ConnectionStatus.NOT_CONFIGURED
        if credentials and status == ConnectionStatus.NOT_CONFIGURED:
            status = ConnectionStatus.CONNECTED  # an env key nobody has tried yet
        return JobNimbusConnectionView(
            status=status,
            origin=credentials.origin if credentials else "",
            base_url=credentials.base_url if credentials else settings.jobnimbus_base_url,
            key_hint=credentials.api_key[-4:] if credentials else "",
            scheduled=self.scheduled(connection, settings),
            every_minutes=settings.jobnimbus_sync_minutes,
            last_error=connection.last_error if connection else "",
            last_success_at=connection.last_success_at if connection else None,
        )

    def connect(
        self,
        db: Session,
        settings: Settings,
        principal: Principal,
        api_key: str,
        *,
        base_url: str | None = None,
        origin: str = "ui",
        client_factory: ClientFactory = checking_client,
    ) -> JobNimbusConnectionView:
        """Checks the key against JobNimbus before keeping it (encrypted)."""
        api_key, url = api_key.strip(), (base_url or settings.jobnimbus_base_url).strip()
        if len(api_key) < 8:
            raise ValidationFailed("enter the whole JobNimbus API key", field="api_key")
        self._verify(client_factory, api_key, url)
        connection = self._connection(db)
        write_credentials(secret_box(settings), connection, {"api_key": api_key}, origin)
        connection.options = {**connection.options, "base_url": url}
        connection.status, connection.last_error = ConnectionStatus.CONNECTED, ""
        db.flush()
        audit_service.record(
            db,
            principal,
            action="jobnimbus.connected",
            entity_type="integration",
            entity_id=connection.id,
            changes={"key": change(None, f"…{api_key[-4:]}"), "base_url": change(None, url)},
        )
        return self.view(db, settings)

    def disconnect(
        self, db: Session, settings: Settings, principal: Principal
    ) -> JobNimbusConnectionView:
        connection = self._connection(db)
        connection.credentials_encrypted, connection.credentials_origin = "", ""
        connection.status = ConnectionStatus.DISCONNECTED
        db.flush()
        audit_service.record(
            db,
            principal,
            action="jobnimbus.disconnected",
            entity_type="integration",
            entity_id=connection.id,
        )
        return self.view(db, settings)

    def client(
        self, db: Session, settings: Settings, client_factory: ClientFactory = default_client
    ) -> JobNimbusClient:
        credentials = self._credentials(ConnectionRepository(db).by_provider(PROVIDER), settings)
        if credentials is None:
            raise ConfigurationError(NOT_CONNECTED, status_code=409)
        return client_factory(credentials.api_key, credentials.base_url)

    def scheduled(self, connection: IntegrationConnection | None, settings: Settings) -> bool:
        """A key typed in the UI turns the schedule on; an env key needs JOBNIMBUS_ENABLED."""
        if settings.jobnimbus_sync_minutes == 0:
            return False
        from_ui = bool(connection and connection.credentials_encrypted)
        return from_ui or (settings.jobnimbus_enabled and settings.jobnimbus_api_key is not None)

    def due(self, db: Session, settings: Settings, now: datetime) -> bool:
        connection = ConnectionRepository(db).by_provider(PROVIDER)
        if not self.scheduled(connection, settings):
            return False
        latest = latest_run(db, PROVIDER)
        interval = timedelta(minutes=settings.jobnimbus_sync_minutes)
        return latest is None or now - as_utc(latest.started_at) >= interval

    def _verify(self, client_factory: ClientFactory, api_key: str, url: str) -> None:
        try:
            with client_factory(api_key, url) as client:
                client.account_settings()
        except VendorAuthError as error:
            raise ValidationFailed(REFUSED_KEY, field="api_key") from error
        except (VendorError, httpx.InvalidURL) as error:
            raise ValidationFailed(
                f"could not reach JobNimbus at {url}: {error}", field="base_url"
            ) from error

    def _connection(self, db: Session) -> IntegrationConnection:
        repository = ConnectionRepository(db)
        return repository.lock(PROVIDER) or repository.add(IntegrationConnection(provider=PROVIDER))

    def _credentials(
        self, connection: IntegrationConnection | None, settings: Settings
    ) -> Credentials | None:
        if connection is not None and connection.credentials_encrypted:
            stored = read_credentials(secret_box(settings), connection)
            url = str(connection.options.get("base_url") or settings.jobnimbus_base_url)
            return Credentials(stored["api_key"], url, connection.credentials_origin)
        if settings.jobnimbus_api_key is not None:
            key = settings.jobnimbus_api_key.get_secret_value()
            return Credentials(key, settings.jobnimbus_base_url, "env")
        return None

    # ----- status map ---------------------------------------------------------------------
    def status_mappings(self, db: Session) -> list[CrmStatusMapping]:
        """The editable map; seeded with the stock roofing workflows the first time."""
        repository = StatusMappingRepository(db)
        mappings = repository.all()
        if mappings:
            return mappings
        for name, stage in DEFAULT_STATUS_MAP.items():
            repository.add(CrmStatusMapping(status_name=name, stage=stage))
        return repository.all()

    def stage_lookup(self, db: Session) -> Callable[[str], JobStage | None]:
        mapping = {row.status_name: row.stage for row in self.status_mappings(db)}
        return lambda status: stage_for(status, mapping)

    def map_status(
        self, db: Session, principal: Principal, status_name: str, stage: JobStage | None
    ) -> None:
        """Sets (or with ``stage=None`` removes) one status; takes effect from the next sync."""
        name = " ".join(status_name.split())
        if not name:
            raise ValidationFailed("a status name is required", field="status_name")
        self.status_mappings(db)
        repository = StatusMappingRepository(db)
        row = repository.find(name)
        old = row.stage if row else None
        if stage is None and row is not None:
            repository.delete(row)
        elif stage is not None and row is None:
            repository.add(CrmStatusMapping(status_name=name, stage=stage))
        elif stage is not None and row is not None:
            row.stage = stage
        audit_service.record(
            db,
            principal,
            action="jobnimbus.status_mapped",
            entity_type="crm_status",
            entity_id=name,
            changes={"stage": change(old, stage)},
        )


jobnimbus_service = JobNimbusService()


class JobNimbusSync:
    """A JobNimbus sync for the runner: contacts, jobs, then their status-change history."""

    provider = PROVIDER
    label = "JobNimbus"
    task_name = SYNC_TASK
    refused = REFUSED_KEY

    def __init__(self, client_factory: ClientFactory = default_client) -> None:
        self.client_factory = client_factory

    def first_sync(self, db: Session) -> bool:
        return SyncCursorRepository(db).position(PROVIDER, "jobs") is None

    def problem(self, db: Session, settings: Settings) -> str:
        view = jobnimbus_service.view(db, settings)
        if not view.origin:
            return NOT_CONNECTED
        return REFUSED_KEY if view.status == ConnectionStatus.FAILED else ""

    def client(self, sessions: sessionmaker[Session], settings: Settings) -> JobNimbusClient:
        with sessions() as db:
            return jobnimbus_service.client(db, settings, self.client_factory)

    def run(
        self,
        sessions: sessionmaker[Session],
        client: JobNimbusClient,
        recorder: SyncRunRecorder,
        *,
        full: bool,
    ) -> None:
        with sessions.begin() as db:  # the first lookup seeds the default map
            stage_of = jobnimbus_service.stage_lookup(db)
        SyncPass(sessions, client, recorder, stage_of, full=full).run()


jobnimbus_sync = JobNimbusSync()
