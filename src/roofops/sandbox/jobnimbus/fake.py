"""A local JobNimbus api1 for tests, the benchmark and the demo's sandbox connection.

Faithful to the spec digest (section 4): Bearer API-key auth, ``/contacts``, ``/jobs``, ``/tasks``,
``/activities`` (list key ``activity``) with ``size``/``from``/``sort_field``/``sort_direction``/
``fields``/``filter``, GET by jnid, minimal POST/PUT, ``/account/settings``, errors as
``{"error": message}``. Job status changes are logged as activities in the shape described in
:mod:`roofops.integrations.jobnimbus.schemas`.

:class:`Faults` switches on the failures a client must survive: 429 bursts with ``Retry-After``,
5xx bursts, latency on every request, records served malformed, records left out of list pages,
and the office editing records while a client pages a list (:class:`EditsWhilePaging`).
:class:`RequestLog` records every request for tests to read. Both sit on ``app.state`` next to
the store.

Lists are served the way JobNimbus serves them: sorted on demand, sliced with ``from``/``size``,
so a record whose sort key changes between two requests moves. Sorted by ``date_updated``, every
edit moves a record to the end and shifts the unseen records after it back by one: the record at
the offset slides past it, unseen.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from roofops.integrations.jobnimbus.schemas import STATUS_CHANGE_TYPE
from roofops.integrations.jobnimbus.status_map import (
    CLOSED_STATUSES,
    STOCK_WORKFLOWS,
    StockWorkflow,
)
from roofops.kit.time import utcnow
from roofops.sandbox.jobnimbus.query import FilterError, ListQuery

Record = dict[str, Any]
LIST_KEYS = {"contacts": "results", "jobs": "results", "tasks": "results", "activities": "activity"}
CONTACT_WORKFLOW = StockWorkflow(10, "Customer", ("Lead", "Active", "Past Customer"))
FIRST_JNID = 36**3  # four base-36 characters, like the short ids JobNimbus shows
FIRST_JOB_NUMBER = 1001
ACCOUNT_ID = "acct"
Breakage = Literal["string_date", "missing_jnid"]
RECORD_TYPES = {"contacts": "contact", "jobs": "job", "tasks": "task", "activities": "activity"}
LEAD_SOURCES = (
    "Referral",
    "Website",
    "Google Ads",
    "Door Knocking",
    "Yard Sign",
    "Repeat Customer",
)
# Job custom fields as /account/customfield describes them. Records carry each value under its
# title ("Job Type": "Re-roof"), which is what roofops.integrations.jobnimbus.mapping reads; the
# real key naming is unconfirmed (spec 4.4), so ``field`` is listed for reference only.
CUSTOM_FIELDS: tuple[Record, ...] = tuple(
    {"title": title, "type": kind, "field": key, "object_type": "job", "is_currency": currency}
    for title, kind, key, currency in (
        ("Job Type", "dropdown", "cf_string_1", False),
        ("Roof Material", "dropdown", "cf_string_2", False),
        ("Squares", "double", "cf_double_1", False),
        ("Pitch", "long", "cf_long_1", False),
        ("Priority", "dropdown", "cf_string_3", False),
        ("Insurance Company", "string", "cf_string_4", False),
        ("Claim Number", "string", "cf_string_5", False),
        ("RCV", "double", "cf_double_2", True),
        ("ACV", "double", "cf_double_3", True),
        ("Deductible", "double", "cf_double_4", True),
        ("Depreciation Held", "double", "cf_double_5", True),
    )
)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
    return text or "0"


def status_change_activity(
    jnid: str,
    job: Mapping[str, Any],
    *,
    from_status: str | None,
    to_status: str,
    status_id: int | None,
    at: int,
    updated: int,
    actor: str,
) -> Record:
    """The activity JobNimbus logs when a job's status changes (see schemas for the shape)."""
    note = (
        f"Status changed from {from_status} to {to_status}"
        if from_status
        else f"Status set to {to_status}"
    )
    contact = job.get("primary") or {}
    related = [{"id": job["jnid"], "type": "job", "name": job.get("name")}]
    if contact.get("id"):
        related.append({"id": contact["id"], "type": "contact", "name": contact.get("name")})
    return {
        "jnid": jnid,
        "type": "activity",
        "customer": ACCOUNT_ID,
        "record_type_name": STATUS_CHANGE_TYPE,
        "is_status_change": True,
        "is_editable": False,
        "note": note,
        "primary": {
            "id": job["jnid"],
            "type": "job",
            "name": job.get("name"),
            "number": job.get("number"),
            "new_status": status_id,
        },
        "related": related,
        "created_by_name": actor,
        "date_created": at,
        "date_updated": updated,
        "is_active": True,
        "is_archived": False,
    }


class FakeJobNimbusStore:
    """Records by resource, in insertion order. Stored dicts are never mutated in place (a change
    replaces the dict), so a list being served is never half-updated."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        workflows: tuple[StockWorkflow, ...] = STOCK_WORKFLOWS,
        first_jnid: int = FIRST_JNID,
    ) -> None:
        self.clock = clock
        self.workflows = workflows
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, Record]] = {name: {} for name in LIST_KEYS}
        self._versions = dict.fromkeys(LIST_KEYS, 0)
        self._sorted: dict[tuple[str, str], tuple[int, list[Record]]] = {}
        self._next_jnid = first_jnid
        self._next_number = FIRST_JOB_NUMBER

    def new_jnid(self) -> str:
        with self._lock:
            self._next_jnid += 1
            return base36(self._next_jnid - 1)

    def now(self) -> int:
        return epoch(self.clock())

    def add(self, resource: str, record: Mapping[str, Any]) -> Record:
        """Store a record as given; a missing jnid, number or timestamp is filled in."""
        with self._lock:
            stored = {"type": RECORD_TYPES[resource], "is_active": True, **record}
            stored.setdefault("jnid", self.new_jnid())
            stored.setdefault("date_created", self.now())
            stored.setdefault("date_updated", stored["date_created"])
            if resource == "jobs":
                stored["number"] = self._job_number(stored.get("number"))
            self._put(resource, stored)
            return dict(stored)

    def create(self, resource: str, body: Mapping[str, Any]) -> Record:
        """``POST``: like :meth:`add`, but validated the way JobNimbus validates."""
        record = {key: value for key, value in body.items() if key not in ("jnid", "number")}
        with self._lock:
            if resource != "jobs":
                return self.add(resource, record)
            self._check_new_job(record)
            record["record_type"] = self._workflow(record).id
            record["status"] = self.status_id(record["record_type_name"], record["status_name"])
            record["date_status_change"] = self.now()
            job = self.add("jobs", record)
            self.add("activities", self._activity_for(job, None, job["date_created"], "API"))
            return job

    def update(self, resource: str, jnid: str, changes: Mapping[str, Any]) -> Record:
        """``PUT``: merge the changes and bump ``date_updated``; a new job status is logged."""
        with self._lock:
            current = self.get(resource, jnid)
            changes = {k: v for k, v in changes.items() if k not in ("jnid", "date_created")}
            # A job's status goes through change_status so that the change is logged.
            new_status = changes.pop("status_name", None) if resource == "jobs" else None
            record = self._set(resource, jnid, changes) if changes else current
            if new_status and new_status != current.get("status_name"):
                self.change_status(jnid, str(new_status))
                record = self.get(resource, jnid)
            return record

    def change_status(
        self, job_jnid: str, new_status: str, at: datetime | None = None, *, actor: str = "Office"
    ) -> Record:
        """Move a job to another status of its workflow; returns the status-change activity.

        ``at`` (default: the clock) dates the change; ``date_updated`` is always the clock's.
        """
        with self._lock:
            job = self.get("jobs", job_jnid)
            status_id = self.status_id(job.get("record_type_name", ""), new_status)
            moment = self.now() if at is None else epoch(at)
            changes = {"status_name": new_status, "status": status_id, "date_status_change": moment}
            updated = self._set("jobs", job_jnid, changes)
            activity = self._activity_for(updated, job.get("status_name"), moment, actor)
            return self.add("activities", activity)

    def add_status(self, workflow_name: str, status_name: str) -> int:
        """Add a status to a job workflow, as an admin (or ``POST /account/workflow/<id>/status``)
        does; accounts rarely keep the stock statuses. Returns the new status id."""
        with self._lock:
            workflow = self._workflow_named(workflow_name)
            grown = replace(workflow, statuses=(*workflow.statuses, status_name))
            self.workflows = tuple(grown if w is workflow else w for w in self.workflows)
            return status_ids(grown)[status_name]

    def edit_spread(self, resource: str, count: int) -> list[str]:
        """Edit ``count`` records spread evenly over the list, as an office at work does: a
        job moves to the next status of its workflow (which logs the change), anything else is
        touched. Returns the jnids edited."""
        with self._lock:
            records = list(self._records[resource].values())
            chosen = records[:: max(1, len(records) // max(count, 1))][:count]
            for record in chosen:
                if resource == "jobs":
                    self.change_status(record["jnid"], self._next_status(record))
                else:
                    self._set(resource, record["jnid"], {})
            return [record["jnid"] for record in chosen]

    def _next_status(self, job: Record) -> str:
        statuses = self._workflow(job).statuses
        current = job.get("status_name")
        position = statuses.index(current) if current in statuses else -1
        return statuses[(position + 1) % len(statuses)]

    def archive(self, resource: str, jnid: str) -> Record:
        return self._set(resource, jnid, {"is_archived": True})

    def deactivate(self, resource: str, jnid: str) -> Record:
        """JobNimbus has no DELETE: records are deactivated with ``is_active: false``."""
        return self._set(resource, jnid, {"is_active": False})

    def get(self, resource: str, jnid: str) -> Record:
        """A copy of the record; ``KeyError`` if there is none."""
        with self._lock:
            return dict(self._records[resource][jnid])

    def has(self, resource: str, jnid: str) -> bool:
        return jnid in self._records.get(resource, {})

    def records(self, resource: str) -> list[Record]:
        with self._lock:
            return list(self._records[resource].values())

    def count(self, resource: str) -> int:
        return len(self._records[resource])

    def query(self, resource: str, query: ListQuery) -> tuple[int, list[Record]]:
        """Total matches and the requested slice, in the requested order."""
        ordered = self._ordered(resource, query.sort_field, descending=query.descending)
        matches = [record for record in ordered if query.matches(record)]
        return len(matches), matches[query.from_ : query.from_ + query.size]

    def status_id(self, workflow_name: str, status_name: str) -> int:
        workflow = self._workflow_named(workflow_name)
        if status_name not in workflow.statuses:
            raise ValueError(f"status {status_name!r} is not in workflow {workflow_name!r}")
        return status_ids(workflow)[status_name]

    def account_settings(self) -> Record:
        job_workflows = [_workflow_settings(w, "job") for w in self.workflows]
        return {
            "workflows": [_workflow_settings(CONTACT_WORKFLOW, "contact"), *job_workflows],
            "fileTypes": [{"FileTypeId": 1, "TypeName": "Document", "IsActive": True}],
            "taskTypes": [
                {"TaskTypeId": n, "TypeName": name, "DefaultName": name, "IsActive": True}
                for n, name in enumerate(("Task", "Inspection", "Install"), start=1)
            ],
            "activityTypes": [
                {"ActivityTypeId": n, "TypeName": name, "IsActive": True}
                for n, name in enumerate(("Note", "Phone Call", "Email", "Meeting"), start=1)
            ],
            "sources": [
                {"JobSourceId": n, "SourceName": name, "IsActive": True}
                for n, name in enumerate(LEAD_SOURCES, start=1)
            ],
            "customFields": list(CUSTOM_FIELDS),
        }

    def _activity_for(self, job: Record, from_status: str | None, at: int, actor: str) -> Record:
        return status_change_activity(
            self.new_jnid(),
            job,
            from_status=from_status,
            to_status=job["status_name"],
            status_id=job.get("status"),
            at=at,
            updated=self.now(),
            actor=actor,
        )

    def _set(self, resource: str, jnid: str, changes: Mapping[str, Any]) -> Record:
        with self._lock:
            record = {**self._records[resource][jnid], **changes, "date_updated": self.now()}
            self._put(resource, record)
            return dict(record)

    def _put(self, resource: str, record: Record) -> None:
        self._records[resource][record["jnid"]] = record
        self._versions[resource] += 1

    def _ordered(self, resource: str, sort_field: str, *, descending: bool) -> list[Record]:
        # Sorting 35,000 activities per page request would dominate a sync; reuse until a write.
        with self._lock:
            version = self._versions[resource]
            cached = self._sorted.get((resource, sort_field))
            if cached is None or cached[0] != version:
                ordered = sorted(self._records[resource].values(), key=_sort_key(sort_field))
                cached = self._sorted[(resource, sort_field)] = (version, ordered)
        return cached[1][::-1] if descending else cached[1]

    def _job_number(self, number: Any) -> str:
        if number is None:
            number = self._next_number
        if str(number).isdigit():
            self._next_number = max(self._next_number, int(number) + 1)
        return str(number)

    def _workflow(self, job: Mapping[str, Any]) -> StockWorkflow:
        return self._workflow_named(str(job.get("record_type_name", "")))

    def _workflow_named(self, name: str) -> StockWorkflow:
        for workflow in self.workflows:
            if workflow.name == name:
                return workflow
        raise ValueError(f"no job workflow named {name!r}")

    def _check_new_job(self, body: Mapping[str, Any]) -> None:
        missing = [k for k in ("name", "record_type_name", "status_name") if not body.get(k)]
        if missing:
            raise ValueError(f"missing required fields: {', '.join(missing)}")
        self.status_id(str(body["record_type_name"]), str(body["status_name"]))


@functools.cache
def status_ids(workflow: StockWorkflow) -> Mapping[str, int]:
    """Status ids unique across the account: the workflow id, then the position."""
    return {name: workflow.id * 100 + n for n, name in enumerate(workflow.statuses, start=1)}


def _workflow_settings(workflow: StockWorkflow, object_type: str) -> Record:
    ids = status_ids(workflow)
    return {
        "id": workflow.id,
        "order": workflow.id,
        "object_type": object_type,
        "name": workflow.name,
        "is_active": True,
        "status": [
            {
                "id": ids[name],
                "name": name,
                "order": order,
                "is_lead": order == 1,
                "is_closed": name in CLOSED_STATUSES,
                "is_active": True,
                "is_archived": False,
            }
            for order, name in enumerate(workflow.statuses, start=1)
        ],
    }


def _sort_key(sort_field: str) -> Callable[[Record], tuple[int, Any, str]]:
    def key(record: Record) -> tuple[int, Any, str]:
        value = record.get(sort_field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return 0, value, record["jnid"]
        if isinstance(value, str):
            return 1, value, record["jnid"]
        return 2, 0, record["jnid"]

    return key


@dataclass
class EditsWhilePaging:
    """Edit ``count`` records of ``resource`` once, just before a list of it is served from
    offset ``at_offset`` or beyond: between two pages of a client reading the list."""

    resource: str = "jobs"
    count: int = 50
    at_offset: int = 1000
    edited: list[str] = field(default_factory=list)  # filled when the edits are made

    def due(self, resource: str, from_: int) -> bool:
        return not self.edited and resource == self.resource and from_ >= self.at_offset


@dataclass
class Faults:
    """Failures to inject; tests and the benchmark set the fields while the fake is running."""

    rate_limited: int = 0  # the next N requests answer 429
    retry_after: str = "1"  # seconds or an HTTP date
    server_errors: int = 0  # the next N requests answer server_error_status
    server_error_status: int = 503
    latency: float = 0.0  # seconds added to every request
    broken: dict[tuple[str, str], Breakage] = field(default_factory=dict)
    # Records left out of the next N list responses that would hold them (still counted).
    hidden: dict[tuple[str, str], int] = field(default_factory=dict)
    edits: EditsWhilePaging | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def break_record(self, resource: str, jnid: str, how: Breakage = "string_date") -> None:
        """Serve this record malformed (the stored record stays intact)."""
        self.broken[(resource, jnid)] = how

    def hide_from_lists(self, resource: str, jnid: str, times: int = 1) -> None:
        """Leave this record out of the next ``times`` list responses it belongs in, while
        ``count`` still counts it: a list that loses records, as no paging order can help."""
        self.hidden[(resource, jnid)] = times

    def before_list(self, store: FakeJobNimbusStore, resource: str, from_: int) -> None:
        with self._lock:
            if self.edits is not None and self.edits.due(resource, from_):
                self.edits.edited = store.edit_spread(resource, self.edits.count)

    def shown_in_list(self, resource: str, record: Record) -> bool:
        with self._lock:
            key = (resource, record["jnid"])
            left = self.hidden.get(key, 0)
            if left > 0:
                self.hidden[key] = left - 1
            return left <= 0

    def take_rate_limit(self) -> bool:
        with self._lock:
            if self.rate_limited <= 0:
                return False
            self.rate_limited -= 1
            return True

    def take_server_error(self) -> bool:
        with self._lock:
            if self.server_errors <= 0:
                return False
            self.server_errors -= 1
            return True

    def served(self, resource: str, record: Record, fields: tuple[str, ...] | None) -> Record:
        shown = {k: record[k] for k in fields if k in record} if fields else dict(record)
        how = self.broken.get((resource, record["jnid"]))
        if how == "string_date":
            shown["date_updated"] = "last tuesday"
        elif how == "missing_jnid":
            shown.pop("jnid", None)
        return shown


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    status: int


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    @property
    def count(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def create_fake_app(
    store: FakeJobNimbusStore, *, api_key: str, faults: Faults | None = None
) -> Starlette:
    """The fake api1 under ``/api1``; ``app.state`` holds ``store``, ``faults`` and ``requests``.

    Each may be replaced while the app runs (a test can serve a fresh store or fresh faults).
    """
    app = Starlette(
        routes=[
            Route("/api1/account/settings", _settings, methods=["GET"]),
            Route("/api1/{resource}", _list_or_create, methods=["GET", "POST"]),
            Route("/api1/{resource}/{jnid}", _get_or_update, methods=["GET", "PUT"]),
        ],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=_Gate(api_key))],
    )
    app.state.store = store
    app.state.faults = faults or Faults()
    app.state.requests = RequestLog()
    return app


@dataclass(frozen=True)
class _Gate:
    """Latency, injected failures and auth, in that order, then the request log."""

    api_key: str

    async def __call__(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        faults = _faults(request)
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        response = self._refusal(request, faults) or await call_next(request)
        log: RequestLog = request.app.state.requests
        query = dict(request.query_params)
        log.add(LoggedRequest(request.method, request.url.path, query, response.status_code))
        return response

    def _refusal(self, request: Request, faults: Faults) -> Response | None:
        if faults.take_rate_limit():
            return _error(429, "Too many requests", {"Retry-After": faults.retry_after})
        if faults.take_server_error():
            return _error(faults.server_error_status, "Service unavailable")
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            return _error(401, "Unauthorized: missing or invalid API key")
        return None


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _store(request: Request) -> FakeJobNimbusStore:
    store: FakeJobNimbusStore = request.app.state.store
    return store


def _faults(request: Request) -> Faults:
    faults: Faults = request.app.state.faults
    return faults


async def _settings(request: Request) -> Response:
    return JSONResponse(_store(request).account_settings())


async def _list_or_create(request: Request) -> Response:
    resource = request.path_params["resource"]
    if resource not in LIST_KEYS:
        return _error(404, f"Unknown resource {resource!r}")
    if request.method == "POST":
        return await _write(request, lambda body: _store(request).create(resource, body))
    try:
        query = ListQuery.from_params(request.query_params)
    except FilterError as exc:
        return _error(400, str(exc))
    faults, store = _faults(request), _store(request)
    faults.before_list(store, resource, query.from_)
    count, page = store.query(resource, query)
    shown = [record for record in page if faults.shown_in_list(resource, record)]
    served = [faults.served(resource, record, query.fields) for record in shown]
    return JSONResponse({"count": count, LIST_KEYS[resource]: served})


async def _get_or_update(request: Request) -> Response:
    resource, jnid = request.path_params["resource"], request.path_params["jnid"]
    store = _store(request)
    if not store.has(resource, jnid):
        return _error(404, "Not found")
    if request.method == "PUT":
        return await _write(request, lambda body: store.update(resource, jnid, body))
    return JSONResponse(_faults(request).served(resource, store.get(resource, jnid), None))


async def _write(request: Request, action: Callable[[dict[str, Any]], Record]) -> Response:
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "The body must be JSON")
    if not isinstance(body, dict):
        return _error(400, "The body must be a JSON object")
    try:
        return JSONResponse(action(body))
    except ValueError as exc:
        return _error(400, str(exc))


@contextmanager
def serve_fake(app: Starlette, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run the fake on a real port in a background thread; yields the api1 base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    bound_port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="jobnimbus-fake", daemon=True
    )
    thread.start()
    try:
        _wait_until_started(server)
        yield f"http://{host}:{bound_port}/api1/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def _wait_until_started(server: uvicorn.Server, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("the JobNimbus fake did not start")
        time.sleep(0.01)
