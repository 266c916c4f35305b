"""A fake QuickBooks Online: OAuth, the v3 accounting API subset we call, faults and webhooks.

Faithful to spec digest section 1.11: Bearer tokens that expire after an hour (401 with the
lowercase ``fault`` body), ``minorversion`` accepted and ignored, ``requestid`` replay, SyncToken
checks (5010), deletes (``operation=delete``: gone from queries, a stub in CDC), the query
language subset (name lists answer only active records unless asked), CDC with its 30-day guard
and 1,000-object cap, Fault envelopes, per-realm rate limits answered with the XML (or JSON) 429
body, and signed webhooks.

Usage::

    fake = FakeQuickBooks(clock=FakeClock(start))
    books = fake.add_company(realm)                     # empty books, or the demo company's:
    fake.add_company(realm, build_books(demo_data, clock=fake.clock).books)
    app = fake.app()                                    # mount it, or serve it (fake_server)
    fake.faults.throttle = 2                            # the next two /v3 requests get 429
    fake.throttle.storm(300)                            # every one does, for 5 minutes
    fake.faults.stalled_writes = 1                      # the next write commits, then stalls
    fake.close_books(date(2026, 10, 31))                # Preferences' closing date
    fake.queries.max_results = 500                      # a lower page cap than QuickBooks'
    fake.requests.count(path_contains="/query")         # what the client sent
    fake.webhooks(realm).deliver(url)                   # signed notifications of every write
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request, Response

from roofops.sandbox.clock import Clock, FakeClock
from roofops.sandbox.control import LoggedRequest, RequestLog, bearer_token, route_path
from roofops.sandbox.quickbooks import errors
from roofops.sandbox.quickbooks.control import Faults, Limits, Throttle
from roofops.sandbox.quickbooks.demo_page import demo_routes
from roofops.sandbox.quickbooks.errors import FakeFault
from roofops.sandbox.quickbooks.oauth import TokenAuthority, oauth_routes
from roofops.sandbox.quickbooks.payments import write_payment
from roofops.sandbox.quickbooks.reads import CDC_LIMIT, CdcScope, QueryEngine, cdc_answer
from roofops.sandbox.quickbooks.store import COMPANY_ZONE, URL_NAMES, Books
from roofops.sandbox.quickbooks.webhooks import WebhookSender
from roofops.sandbox.quickbooks.writes import (
    ReplayCache,
    delete_transaction,
    run_batch,
    write_customer,
    write_invoice,
)

DEFAULT_REALM = "9130357992141016"
DEFAULT_CLIENT_ID = "fake-quickbooks-client"
DEFAULT_CLIENT_SECRET = "fake-quickbooks-secret"  # noqa: S105 (a fake's well-known secret)
DEFAULT_VERIFIER_TOKEN = "fake-quickbooks-verifier"  # noqa: S105
API_PREFIX = "/v3/company/"

Handler = Callable[[Request], Awaitable[Response]]


class FakeQuickBooks:
    """The state behind the fake app: companies by realm, tokens, faults, log and limits."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        verifier_token: str = DEFAULT_VERIFIER_TOKEN,
        limits: Limits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        cdc_limit: int = CDC_LIMIT,
        cdc_scope: CdcScope = "response",
    ) -> None:
        self.clock: Clock = clock or FakeClock()
        self.auth = TokenAuthority(self.clock, client_id, client_secret)
        self.verifier_token = verifier_token
        self.faults = Faults()
        self.requests = RequestLog()
        self.limits = limits or Limits()
        self.throttle = Throttle(self.limits, monotonic)
        self.replays = ReplayCache()
        self.queries = QueryEngine()
        self.cdc_limit = cdc_limit
        self.cdc_scope: CdcScope = cdc_scope
        self.companies: dict[str, Books] = {}
        self._senders: dict[str, WebhookSender] = {}

    def add_company(self, realm_id: str = DEFAULT_REALM, books: Books | None = None) -> Books:
        """Serve ``books`` (empty ones by default) as ``realm_id``; the first one gets consent."""
        books = books or Books(self.clock)
        self.companies[realm_id] = books
        sender = WebhookSender(books, realm_id, self.verifier_token)
        # QuickBooks notifies only of events after the connection: loaded history is not news.
        sender.skip_pending()
        self._senders[realm_id] = sender
        self.auth.consent_realm = self.auth.consent_realm or realm_id
        return books

    def books(self, realm_id: str = DEFAULT_REALM) -> Books:
        return self.companies[realm_id]

    def issue_tokens(self, realm_id: str = DEFAULT_REALM) -> dict[str, Any]:
        """A token response as ``/oauth2/v1/tokens/bearer`` would give after consent."""
        return self.auth.issue(realm_id)

    def webhooks(self, realm_id: str = DEFAULT_REALM) -> WebhookSender:
        return self._senders[realm_id]

    def close_books(self, through: date | None, realm_id: str = DEFAULT_REALM) -> None:
        """Set (or clear) the closing date, as a bookkeeper does in Settings > Advanced."""
        self.books(realm_id).book_close_date = through

    def app(self) -> FastAPI:
        return create_app(self)

    def now_text(self) -> str:
        """The envelope's ``time``: the company's zone, to the millisecond."""
        return self.clock().astimezone(COMPANY_ZONE).isoformat(timespec="milliseconds")


class QboJSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_json_default, separators=(",", ":")).encode()


def _json_default(value: Any) -> Any:
    # JSON has one number type; the shortest repr of a 2-decimal amount is that amount exactly.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def create_app(fake: FakeQuickBooks) -> FastAPI:
    app = FastAPI(title="Fake QuickBooks Online", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(oauth_routes(fake.auth))
    app.include_router(demo_routes(fake.companies))
    _api_routes(app, fake)

    @app.exception_handler(FakeFault)
    async def fault(_request: Request, exc: FakeFault) -> Response:
        return QboJSON({"Fault": exc.fault(), "time": fake.now_text()}, status_code=exc.status)

    @app.middleware("http")
    async def control(request: Request, call_next: Handler) -> Response:
        response = await _controlled(fake, request, call_next)
        query = dict(request.query_params)
        fake.requests.record(
            LoggedRequest(request.method, route_path(request), query, response.status_code)
        )
        return response

    return app


async def _controlled(fake: FakeQuickBooks, request: Request, call_next: Handler) -> Response:
    if fake.faults.latency > 0:
        await asyncio.sleep(fake.faults.latency)
    path = route_path(request)
    if not path.startswith(API_PREFIX):
        return await call_next(request)
    injected = await _injected_fault(fake)
    if injected is not None:
        return injected
    realm_id = path[len(API_PREFIX) :].split("/", 1)[0]
    allowed = fake.auth.check_access(bearer_token(request), realm_id)
    if not allowed or realm_id not in fake.companies:
        epoch_millis = int(fake.clock().timestamp() * 1000)
        return QboJSON(errors.unauthorized_body(epoch_millis), status_code=401)
    if not fake.throttle.allow(realm_id, batch=path.endswith("/batch")):
        return _throttled(fake)
    return await call_next(request)


async def _injected_fault(fake: FakeQuickBooks) -> Response | None:
    if fake.faults.take("slow"):
        await asyncio.sleep(fake.faults.slow_seconds)
    if fake.faults.take("server_errors"):
        fault = FakeFault("10000", "An application error has occurred", fault_type="SystemFault")
        body = {"Fault": fault.fault(), "time": fake.now_text()}
        return QboJSON(body, status_code=fake.faults.server_error_status)
    if fake.faults.take("throttle"):
        return _throttled(fake)
    return None


def _throttled(fake: FakeQuickBooks) -> Response:
    """No Retry-After: QuickBooks has no such contract and says to wait 60 seconds."""
    if fake.faults.throttle_format == "json":
        return QboJSON({"Fault": errors.throttle_json(), "time": fake.now_text()}, status_code=429)
    return Response(errors.throttle_xml(), status_code=429, media_type="application/xml")


def _api_routes(app: FastAPI, fake: FakeQuickBooks) -> None:
    base = "/v3/company/{realm_id}"

    @app.get(base + "/query")
    async def query_get(realm_id: str, request: Request) -> Response:
        return _query(fake, realm_id, request.query_params.get("query", ""))

    @app.post(base + "/query")
    async def query_post(realm_id: str, request: Request) -> Response:
        return _query(fake, realm_id, (await request.body()).decode())

    @app.get(base + "/cdc")
    async def cdc(realm_id: str, request: Request) -> Response:
        entities = [e.strip() for e in request.query_params.get("entities", "").split(",") if e]
        since = request.query_params.get("changedSince", "")
        parts = cdc_answer(
            fake.books(realm_id), entities, since, limit=fake.cdc_limit, scope=fake.cdc_scope
        )
        body = {"CDCResponse": [{"QueryResponse": parts}], "time": fake.now_text()}
        return QboJSON(body)

    @app.post(base + "/batch")
    async def batch(realm_id: str, request: Request) -> Response:
        return await _write(fake, realm_id, request, _batch_answer)

    @app.post(base + "/invoice")
    async def invoice(realm_id: str, request: Request) -> Response:
        return await _write(fake, realm_id, request, _invoice_answer)

    @app.post(base + "/payment")
    async def payment(realm_id: str, request: Request) -> Response:
        return await _write(fake, realm_id, request, _payment_answer)

    @app.post(base + "/customer")
    async def customer(realm_id: str, request: Request) -> Response:
        return await _write(fake, realm_id, request, _customer_answer)

    @app.get(base + "/preferences")
    async def preferences(realm_id: str) -> Response:
        return QboJSON({"Preferences": _preferences(fake.books(realm_id)), "time": fake.now_text()})

    @app.post(base + "/{entity}")
    async def transaction(realm_id: str, request: Request) -> Response:
        return await _write(fake, realm_id, request, _delete_answer)

    @app.get(base + "/{entity}/{entity_id}")
    async def read(realm_id: str, entity: str, entity_id: str) -> Response:
        name = URL_NAMES.get(entity.lower())
        row = fake.books(realm_id).get(name, entity_id) if name else None
        if name is None or row is None:
            raise errors.not_found(name or entity, entity_id)
        return QboJSON({name: row, "time": fake.now_text()})


def _query(fake: FakeQuickBooks, realm_id: str, text: str) -> Response:
    answer = fake.queries.answer(fake.books(realm_id), text)
    return QboJSON({"QueryResponse": answer, "time": fake.now_text()})


WriteAnswer = Callable[[FakeQuickBooks, str, Request, dict[str, Any]], dict[str, Any]]


async def _write(
    fake: FakeQuickBooks, realm_id: str, request: Request, answer: WriteAnswer
) -> Response:
    """Replay a known ``requestid``; otherwise write, remember the answer, maybe lose it."""
    request_id = request.query_params.get("requestid", "")
    replay = fake.replays.get(realm_id, request_id) if request_id else None
    if replay is not None:
        return Response(replay[1], status_code=replay[0], media_type="application/json")
    try:
        body = json.loads(await request.body(), parse_float=Decimal)
    except ValueError as exc:
        raise FakeFault("500", "Unsupported Operation", "the body is not JSON") from exc
    response = QboJSON({**answer(fake, realm_id, request, body), "time": fake.now_text()})
    if request_id:
        fake.replays.put(realm_id, request_id, response.status_code, bytes(response.body))
    if fake.faults.strikes("stalled_writes"):
        await asyncio.sleep(fake.faults.slow_seconds)
    if fake.faults.strikes("lost_writes"):
        return QboJSON({"Fault": _lost().fault(), "time": fake.now_text()}, status_code=502)
    return response


def _lost() -> FakeFault:
    return FakeFault("10000", "Bad Gateway", "the write was saved; the answer was lost", status=502)


def _invoice_answer(
    fake: FakeQuickBooks, realm_id: str, request: Request, body: dict[str, Any]
) -> dict[str, Any]:
    operation = request.query_params.get("operation")
    return {"Invoice": write_invoice(fake.books(realm_id), body, operation)}


def _payment_answer(
    fake: FakeQuickBooks, realm_id: str, request: Request, body: dict[str, Any]
) -> dict[str, Any]:
    operation = request.query_params.get("operation")
    return {"Payment": write_payment(fake.books(realm_id), body, operation)}


def _customer_answer(
    fake: FakeQuickBooks, realm_id: str, _request: Request, body: dict[str, Any]
) -> dict[str, Any]:
    return {"Customer": write_customer(fake.books(realm_id), body)}


def _preferences(books: Books) -> dict[str, Any]:
    """The Preferences entity, its accounting block only (the rest is UI settings)."""
    accounting: dict[str, Any] = {"TrackDepartments": False, "ClassTrackingPerTxnLine": True}
    if books.book_close_date is not None:
        accounting["BookCloseDate"] = books.book_close_date.isoformat()
    return {
        "Id": "1",
        "SyncToken": "0",
        "domain": "QBO",
        "AccountingInfoPrefs": accounting,
        "MetaData": {"CreateTime": "2020-01-01T00:00:00-08:00"},
    }


def _delete_answer(
    fake: FakeQuickBooks, realm_id: str, request: Request, body: dict[str, Any]
) -> dict[str, Any]:
    entity = str(request.path_params["entity"])
    name = URL_NAMES.get(entity.lower())
    if name is None:
        raise errors.not_found(entity, str(body.get("Id", "")))
    operation = request.query_params.get("operation")
    return {name: delete_transaction(fake.books(realm_id), name, body, operation)}


def _batch_answer(
    fake: FakeQuickBooks, realm_id: str, _request: Request, body: dict[str, Any]
) -> dict[str, Any]:
    books = fake.books(realm_id)
    items = run_batch(books, body, lambda text: fake.queries.answer(books, text))
    return {"BatchItemResponse": items}
