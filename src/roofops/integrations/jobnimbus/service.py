"""JobNimbus: the connection (API key), the status and branch maps, and running syncs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.crew.service import branch_service
from roofops.exceptions import ConfigurationError, Conflict, ValidationFailed
from roofops.integrations.core.connections import ConnectionView
from roofops.integrations.core.credentials import read_credentials, secret_box, write_credentials
from roofops.integrations.core.repository import ConnectionRepository, SyncCursorRepository
from roofops.integrations.core.runner import request_sync
from roofops.integrations.core.runs import (
    BACKGROUND_RETRY,
    INTERACTIVE_RETRY,
    SyncRunRecorder,
    latest_run,
)
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.repository import (
    BranchMapRepository,
    StatusLogRepository,
    StatusMappingRepository,
    UnmappedJobRepository,
    WorkflowRepository,
)
from roofops.integrations.jobnimbus.status_map import (
    DEFAULT_STATUS_MAP,
    normal_name,
    same_name,
    stage_lookup,
)
from roofops.integrations.jobnimbus.sync import SyncPass
from roofops.kit.http import VendorAuthError, VendorError
from roofops.kit.time import as_utc
from roofops.logging import get_logger
from roofops.models.branch import Branch
from roofops.models.crm import CrmBranchKey, CrmBranchMapping, CrmStatusMapping, CrmWorkflowStatus
from roofops.models.enums import ConnectionStatus, JobStage, Provider
from roofops.models.integration import IntegrationConnection, SyncRun
from roofops.models.job import Job

log = get_logger(__name__)
PROVIDER = Provider.JOBNIMBUS
SYNC_TASK = "jobnimbus.sync"
API_KEY_CHARACTERS = re.compile(r"[\x21-\x7e]+")
REFUSED_KEY = (
    "JobNimbus refused the API key (HTTP 401). Create a new key in JobNimbus under Settings > "
    "API and enter it in roofops under Settings > Integrations."
)
NOT_CONNECTED = (
    "JobNimbus is not connected: enter an API key in Settings > Integrations "
    "(or set ROOFOPS_JOBNIMBUS_API_KEY)"
)
ClientFactory = Callable[[str, str], JobNimbusClient]
SYNC_RETRY = BACKGROUND_RETRY
CHECK_RETRY = INTERACTIVE_RETRY  # someone checking a key on the Integrations page waits


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
        if not API_KEY_CHARACTERS.fullmatch(api_key):
            # It travels in an HTTP header, which carries printable ASCII only; anything else
            # is a paste gone wrong (a smart quote, a space inside), not a key.
            raise ValidationFailed(
                "a JobNimbus API key is letters, digits and punctuation, without spaces",
                field="api_key",
            )
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
    def status_map_view(self, db: Session) -> StatusMapView:
        """The map as an admin works on it: the account's workflows with a stage per status,
        the statuses seen in jobs and history that are not mapped, and the other names."""
        rows = self.status_mappings(db)
        stage_of = _lookup(rows)
        workflows = _workflow_views(WorkflowRepository(db).all(), stage_of)
        listed = {normal_name(status.status_name) for view in workflows for status in view.statuses}
        others = [m for m in rows if normal_name(m.status_name) not in listed]
        return StatusMapView(workflows, _unmapped(db, stage_of, listed), other_mappings=others)

    def save_statuses_and_resync(
        self,
        db: Session,
        settings: Settings,
        principal: Principal,
        choices: Sequence[tuple[str, JobStage | None]],
    ) -> Resync:
        """Saves every choice (``None``: not mapped) and queues a full resync, which re-maps
        the jobs already synced and their history."""
        rows = self._stored_mappings(db)  # read once, kept current as the choices are saved
        stage_of = _lookup(rows)
        for status_name, stage in choices:
            if stage_of(status_name) != stage:
                self._map_one(db, principal, rows, status_name, stage)
        return _resync(db, settings, principal)

    def status_mappings(self, db: Session) -> list[CrmStatusMapping]:
        """The map in force: the stock roofing workflows until an admin first edits it.

        Reading never writes (a settings page opened while the worker writes must not contend
        for SQLite's one writer): the stock map is returned unsaved, and stored on first edit.
        """
        return StatusMappingRepository(db).all() or _stock_mappings()

    def _stored_mappings(self, db: Session) -> list[CrmStatusMapping]:
        """The map as rows to edit, the stock workflows stored first if it was never edited."""
        repository = StatusMappingRepository(db)
        if not repository.all():
            for mapping in _stock_mappings():
                repository.add(mapping)
        return repository.all()

    def stage_lookup(self, db: Session) -> Callable[[str], JobStage | None]:
        return _lookup(self.status_mappings(db))

    def map_status(
        self, db: Session, principal: Principal, status_name: str, stage: JobStage | None
    ) -> None:
        """Sets (or with ``stage=None`` removes) one status; takes effect from the next sync."""
        self._map_one(db, principal, self._stored_mappings(db), status_name, stage)

    def _map_one(
        self,
        db: Session,
        principal: Principal,
        rows: list[CrmStatusMapping],
        status_name: str,
        stage: JobStage | None,
    ) -> None:
        """One choice against ``rows`` (the map as read), which it keeps current."""
        name = " ".join(status_name.split())
        if not name:
            raise ValidationFailed("a status name is required", field="status_name")
        repository = StatusMappingRepository(db)
        row = next((m for m in rows if same_name(m.status_name, name)), None)
        old = row.stage if row else None
        if stage is None and row is not None:
            repository.delete(row)
            rows.remove(row)
        elif stage is not None and row is None:
            rows.append(repository.add(CrmStatusMapping(status_name=name, stage=stage)))
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

    # ----- branch map ---------------------------------------------------------------------
    def branch_map(self, db: Session) -> BranchMapView:
        repository = BranchMapRepository(db)
        return BranchMapView(repository.all(), branch_service.list(db))

    def save_branches_and_resync(
        self,
        db: Session,
        settings: Settings,
        principal: Principal,
        choices: Sequence[BranchChoice],
    ) -> Resync:
        """Saves every choice (no branch: leave jobs' branches alone) and queues a full
        resync, which gives the jobs already synced their branch."""
        view = self.branch_map(db)
        rows = {(row.kind, row.external_id): row for row in view.mappings}
        branches = {branch.id for branch in view.branches}
        for choice in choices:
            row = rows.get((choice.kind, choice.external_id))
            if row is None:
                raise ValidationFailed(f"no JobNimbus {choice.label} has been synced", field="kind")
            if choice.branch_id is not None and choice.branch_id not in branches:
                raise ValidationFailed("no such branch", field="branch_id")
            if row.branch_id != choice.branch_id:
                _map_branch(db, principal, row, choice.branch_id)
        return _resync(db, settings, principal)


@dataclass(frozen=True)
class StatusChoice:
    status_name: str
    stage: JobStage | None
    is_closed: bool
    # The earlier workflow whose row sets this status's stage (the map is by name), or "".
    chosen_in: str


@dataclass(frozen=True)
class WorkflowView:
    name: str
    statuses: list[StatusChoice]


@dataclass(frozen=True)
class UnmappedStatus:
    status_name: str
    jobs: int  # jobs now in this status, each flagged and at its last known stage
    history_entries: int
    in_workflows: bool
    examples: list[Job]  # a few of those jobs


@dataclass(frozen=True)
class StatusMapView:
    workflows: list[WorkflowView]
    unmapped: list[UnmappedStatus]
    other_mappings: list[CrmStatusMapping]  # mapped names in none of the account's workflows


@dataclass(frozen=True)
class BranchChoice:
    kind: CrmBranchKey
    external_id: str
    branch_id: uuid.UUID | None

    @property
    def label(self) -> str:
        return f"{self.kind.value.replace('_', ' ')} '{self.external_id}'"


@dataclass(frozen=True)
class BranchMapView:
    mappings: list[CrmBranchMapping]
    branches: list[Branch]

    def branch_name(self, branch_id: uuid.UUID | None) -> str:
        return next((b.name for b in self.branches if b.id == branch_id), "")


@dataclass(frozen=True)
class Resync:
    """The full resync a saved map asked for, or why none was queued (the map is saved)."""

    run: SyncRun | None
    refused: str = ""


EXAMPLE_JOBS = 5


def _workflow_views(
    rows: Sequence[CrmWorkflowStatus], stage_of: Callable[[str], JobStage | None]
) -> list[WorkflowView]:
    views: dict[int, WorkflowView] = {}
    chosen_in: dict[str, str] = {}
    for row in rows:
        view = views.setdefault(row.workflow_id, WorkflowView(row.workflow_name, []))
        first = chosen_in.setdefault(normal_name(row.status_name), row.workflow_name)
        shared = "" if first == row.workflow_name else first
        stage = stage_of(row.status_name)
        view.statuses.append(StatusChoice(row.status_name, stage, row.is_closed, shared))
    return list(views.values())


def _unmapped(
    db: Session, stage_of: Callable[[str], JobStage | None], listed: set[str]
) -> list[UnmappedStatus]:
    jobs = _by_key(UnmappedJobRepository(db).counts())
    history = _by_key(StatusLogRepository(db).entries_by_status())
    names = {key: name for key, (name, _) in {**history, **jobs}.items() if stage_of(name) is None}
    examples = UnmappedJobRepository(db).examples
    return [
        UnmappedStatus(
            status_name=name,
            jobs=jobs.get(key, (name, 0))[1],
            history_entries=history.get(key, (name, 0))[1],
            in_workflows=key in listed,
            examples=examples(jobs[key][0], EXAMPLE_JOBS) if key in jobs else [],
        )
        for key, name in sorted(names.items())
    ]


def _by_key(counts: Mapping[str, int]) -> dict[str, tuple[str, int]]:
    """Counts by status as people type it (case and spacing vary): key -> (a name, total)."""
    merged: dict[str, tuple[str, int]] = {}
    for name, count in counts.items():
        key = normal_name(name)
        first, total = merged.get(key, (name, 0))
        merged[key] = (first, total + count)
    return merged


def _map_branch(
    db: Session, principal: Principal, row: CrmBranchMapping, branch_id: uuid.UUID | None
) -> None:
    audit_service.record(
        db,
        principal,
        action="jobnimbus.branch_mapped",
        entity_type=f"crm_{row.kind.value}",
        entity_id=row.external_id,
        changes={"branch_id": change(row.branch_id, branch_id)},
    )
    row.branch_id = branch_id
    db.flush()


def _lookup(rows: Sequence[CrmStatusMapping]) -> Callable[[str], JobStage | None]:
    return stage_lookup({row.status_name: row.stage for row in rows})


def _stock_mappings() -> list[CrmStatusMapping]:
    return [CrmStatusMapping(status_name=n, stage=s) for n, s in DEFAULT_STATUS_MAP.items()]


def _resync(db: Session, settings: Settings, principal: Principal) -> Resync:
    """A full resync queued with the saved map, in the same transaction; if one cannot start
    now (a sync is running, nothing is connected), the map stays saved and the reason is said."""
    try:
        with db.begin_nested():
            run = request_sync(
                db, settings, jobnimbus_sync, full=True, triggered_by=principal.label
            )
    except Conflict as refused:
        return Resync(None, refused.message)
    return Resync(run)


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
