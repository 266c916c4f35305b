"""A fake Xero: the identity service, ``/connections`` and the Accounting API subset roofops
calls, faithful to spec digest section 2.9.

Usage::

    fake = FakeXero(clock=FakeClock(start))
    books = fake.add_organisation("Summit Roofing")     # a tenant; add two, consent picks
    app = fake.app()                                    # mount it, or serve it over HTTP
    tokens = fake.issue_tokens(books.tenant_id)         # skip the consent page in a test
    fake.faults.lost_writes = 1                         # the next write commits, answer lost
    fake.faults.stalled_writes = 1                      # the next write commits, then stalls
    fake.limits.storm(120)                              # 429 to everything for 2 minutes
    fake.between_pages.append(edit)                     # edit(books, resource, page) after a page
    fake.webhooks.deliver(url)                          # signed events of every save
    fake.webhooks.intent_to_receive(url)                # the subscription's handshake
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from roofops.integrations.xero.dates import ms_date, parse_moment
from roofops.sandbox.clock import Clock, FakeClock
from roofops.sandbox.control import Faults, LoggedRequest, RequestLog, bearer_token, route_path
from roofops.sandbox.xero import errors
from roofops.sandbox.xero.auth import Authority, Grant, OAuthFailure, consent_page
from roofops.sandbox.xero.contacts import save_contact
from roofops.sandbox.xero.documents import CREDIT_NOTE, INVOICE, Kind, create, find, update
from roofops.sandbox.xero.errors import XeroFailure
from roofops.sandbox.xero.idempotency import MAX_KEY_LENGTH, IdempotencyCache, fingerprint
from roofops.sandbox.xero.limits import Limits, RateLimits
from roofops.sandbox.xero.payments import allocate_credit, create_payment, delete_payment
from roofops.sandbox.xero.query import MAX_PAGE_SIZE, PAGE_SIZE, ListQuery, page_of, select
from roofops.sandbox.xero.store import ID_FIELDS, Books, Entity
from roofops.sandbox.xero.tracking import tracking_option
from roofops.sandbox.xero.webhooks import WebhookSender

DEFAULT_CLIENT_ID = "fake-xero-client"
DEFAULT_CLIENT_SECRET = "fake-xero-secret"  # noqa: S105 (a fake's well-known secret)
DEFAULT_WEBHOOK_KEY = "fake-xero-webhook-key"
API_PREFIX = "/api.xro/2.0/"
TENANT_HEADER = "xero-tenant-id"
DOCUMENTS = {"Invoices": INVOICE, "CreditNotes": CREDIT_NOTE}
# Optimised filters: query parameter -> the field it matches (comma-separated values).
FILTERS = {
    "Invoices": {
        "IDs": "InvoiceID",
        "InvoiceNumbers": "InvoiceNumber",
        "ContactIDs": "Contact.ContactID",
        "Statuses": "Status",
    },
    "Contacts": {"IDs": "ContactID"},
    "CreditNotes": {"IDs": "CreditNoteID"},
    "Payments": {"IDs": "PaymentID"},
}
# Lists read without ``page`` leave out line items (paged reads include them).
SUMMARISED = frozenset({"Invoices", "CreditNotes"})

Handler = Callable[[Request], Awaitable[Response]]
PageHook = Callable[[Books, str, int], None]


class FakeXero:
    """The state behind the fake app: organisations, tokens, limits, faults and the log."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        webhook_key: str = DEFAULT_WEBHOOK_KEY,
        limits: Limits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock: Clock = clock or FakeClock()
        self.auth = Authority(self.clock, client_id, client_secret)
        self.faults = Faults()
        self.requests = RequestLog()
        self.limits = RateLimits(limits or Limits(), monotonic)
        self.replays = IdempotencyCache(self.clock)
        self.organisations: dict[str, Books] = {}
        self.webhooks = WebhookSender([], webhook_key)
        self.between_pages: list[PageHook] = []

    def add_organisation(self, name: str, tenant_id: str | None = None) -> Books:
        books = Books(tenant_id or str(uuid.uuid4()), name, self.clock)
        self.organisations[books.tenant_id] = books
        self.auth.tenants[books.tenant_id] = name
        self.webhooks.watch(books)
        return books

    def books(self, tenant_id: str) -> Books:
        return self.organisations[tenant_id]

    def issue_tokens(self, *tenant_ids: str) -> dict[str, Any]:
        """A token response as the token endpoint gives after consent to ``tenant_ids``."""
        return self.auth.issue(list(tenant_ids or self.organisations))

    def app(self) -> FastAPI:
        return create_app(self)


class XeroJSON(Response):
    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_json_default, separators=(",", ":")).encode()


def _json_default(value: Any) -> Any:
    # JSON has one number type; the shortest repr of a 2-decimal amount is that amount exactly.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def create_app(fake: FakeXero) -> FastAPI:
    app = FastAPI(title="Fake Xero", docs_url=None, redoc_url=None, openapi_url=None)
    _identity_routes(app, fake)
    _api_routes(app, fake)

    @app.exception_handler(XeroFailure)
    async def failure(_request: Request, exc: XeroFailure) -> Response:
        return XeroJSON(exc.body, status_code=exc.status, headers=exc.headers)

    @app.middleware("http")
    async def control(request: Request, call_next: Handler) -> Response:
        response = await _controlled(fake, request, call_next)
        path = route_path(request)
        entry = LoggedRequest(
            request.method, path, dict(request.query_params), response.status_code
        )
        fake.requests.record(entry)
        return response

    return app


# ----- the gate every API call passes ---------------------------------------------------------
async def _controlled(fake: FakeXero, request: Request, call_next: Handler) -> Response:
    if fake.faults.latency > 0:
        await asyncio.sleep(fake.faults.latency)
    if not route_path(request).startswith(API_PREFIX):
        return await call_next(request)
    injected = await _injected_fault(fake)
    if injected is not None:
        return injected
    try:
        tenant_id = _tenant(fake, request)
    except XeroFailure as refused:
        return XeroJSON(refused.body, status_code=refused.status)
    refusal = fake.limits.enter(tenant_id)
    if refusal is not None:
        return _throttled(refusal.problem, refusal.retry_after)
    try:
        response = await call_next(request)
    finally:
        fake.limits.leave(tenant_id)
    response.headers.update(fake.limits.remaining(tenant_id))
    return response


async def _injected_fault(fake: FakeXero) -> Response | None:
    if fake.faults.take("slow"):
        await asyncio.sleep(fake.faults.slow_seconds)
    if fake.faults.take("server_errors"):
        body = errors.problem(fake.faults.server_error_status, "Service Unavailable", "").body
        return XeroJSON(body, status_code=fake.faults.server_error_status)
    if fake.faults.take("throttle"):
        return _throttled("minute", 1)
    return None


def _throttled(problem: str, retry_after: int | None) -> Response:
    failure = errors.problem(429, "Too Many Requests", f"Rate limit exceeded: {problem}")
    headers = {"X-Rate-Limit-Problem": problem}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return XeroJSON(failure.body, status_code=429, headers=headers)


def _grant(fake: FakeXero, request: Request) -> Grant:
    grant = fake.auth.grant_of(bearer_token(request))
    if grant is None:
        raise errors.unauthorized()
    return grant


def _tenant(fake: FakeXero, request: Request) -> str:
    """401 without a live token; 403 without a tenant header this consent reaches."""
    grant = _grant(fake, request)
    tenant_id = request.headers.get(TENANT_HEADER, "").strip().lower()
    if tenant_id not in grant.tenant_ids or tenant_id not in fake.organisations:
        raise errors.forbidden()
    return tenant_id


# ----- identity: consent, tokens, connections -------------------------------------------------
def _identity_routes(app: FastAPI, fake: FakeXero) -> None:
    @app.get("/identity/connect/authorize")
    def consent(request: Request) -> Response:
        params = dict(request.query_params)
        if params.get("client_id") != fake.auth.client_id or params.get("response_type") != "code":
            return HTMLResponse("<h1>unauthorized_client</h1>", status_code=400)
        return HTMLResponse(consent_page(fake.auth, params))

    @app.post("/identity/connect/authorize")
    async def allow(request: Request) -> Response:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items() if key != "tenant"}
        tenants = [str(value) for value in form.getlist("tenant")]
        redirect_uri = fields.get("redirect_uri", "")
        try:
            code = fake.auth.authorize(
                fields.get("client_id", ""), redirect_uri, fields.get("scope", ""), tenants
            )
            answer = {
                "code": code,
                "scope": fields.get("scope", ""),
                "state": fields.get("state", ""),
            }
        except OAuthFailure as failure:
            answer = {"error": failure.error, "state": fields.get("state", "")}
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(answer)}", status_code=302)

    @app.post("/connect/token")
    async def token(request: Request) -> Response:
        fields = {key: str(value) for key, value in (await request.form()).items()}
        try:
            fake.auth.check_client(request.headers.get("Authorization", ""), fields)
            return JSONResponse(_token_grant(fake, fields))
        except OAuthFailure as failure:
            return JSONResponse({"error": failure.error}, status_code=failure.status)

    @app.post("/connect/revocation")
    async def revocation(request: Request) -> Response:
        fields = {key: str(value) for key, value in (await request.form()).items()}
        try:
            fake.auth.check_client(request.headers.get("Authorization", ""), fields)
        except OAuthFailure as failure:
            return JSONResponse({"error": failure.error}, status_code=failure.status)
        fake.auth.revoke(fields.get("token", ""))
        return Response(status_code=200)

    @app.get("/connections")
    def connections(request: Request) -> Response:
        return XeroJSON(fake.auth.connections(_grant(fake, request)))

    @app.delete("/connections/{connection_id}")
    def disconnect(connection_id: str, request: Request) -> Response:
        if not fake.auth.disconnect(_grant(fake, request), connection_id):
            raise errors.not_found("connections", connection_id)
        return Response(status_code=204)


def _token_grant(fake: FakeXero, fields: dict[str, str]) -> dict[str, Any]:
    grant_type = fields.get("grant_type", "")
    if grant_type == "authorization_code":
        return fake.auth.exchange(fields.get("code", ""), fields.get("redirect_uri", ""))
    if grant_type == "refresh_token":
        return fake.auth.refresh(fields.get("refresh_token", ""))
    raise OAuthFailure("unsupported_grant_type")


# ----- the accounting API ---------------------------------------------------------------------
def _api_routes(app: FastAPI, fake: FakeXero) -> None:
    base = API_PREFIX.rstrip("/")

    @app.get(base + "/Organisation")
    def organisation(request: Request) -> Response:
        books = _books(fake, request)
        return _envelope(fake, "Organisations", [books.organisation()])

    @app.get(base + "/TrackingCategories")
    def tracking(request: Request) -> Response:
        return _envelope(fake, "TrackingCategories", _books(fake, request).tracking)

    @app.get(base + "/Accounts")
    def accounts(request: Request) -> Response:
        return _envelope(fake, "Accounts", _books(fake, request).accounts)

    @app.get(base + "/{resource}")
    def listing(resource: str, request: Request) -> Response:
        return _listing(fake, _books(fake, request), _resource(resource), request)

    @app.get(base + "/{resource}/{record_id}")
    def one(resource: str, record_id: str, request: Request) -> Response:
        name = _resource(resource)
        books = _books(fake, request)
        row = books.get(name, record_id)
        if row is None and name in DOCUMENTS:
            row = find(books, DOCUMENTS[name], {DOCUMENTS[name].number_field: record_id})
        if row is None:
            raise errors.not_found(name, record_id)
        return _envelope(fake, name, [row])

    @app.put(base + "/{resource}")
    async def put(resource: str, request: Request) -> Response:
        return await _write(fake, request, Target(_resource(resource), None, creating=True))

    @app.post(base + "/{resource}")
    async def post(resource: str, request: Request) -> Response:
        return await _write(fake, request, Target(_resource(resource), None, creating=False))

    @app.post(base + "/{resource}/{record_id}")
    async def post_one(resource: str, record_id: str, request: Request) -> Response:
        return await _write(fake, request, Target(_resource(resource), record_id, creating=False))

    @app.put(base + "/TrackingCategories/{record_id}/Options")
    async def options(record_id: str, request: Request) -> Response:
        return await _write(fake, request, Target("Options", record_id, creating=True))

    @app.put(base + "/CreditNotes/{record_id}/Allocations")
    async def allocations(record_id: str, request: Request) -> Response:
        return await _write(fake, request, Target("Allocations", record_id, creating=True))


def _resource(name: str) -> str:
    found = next((known for known in ID_FIELDS if known.lower() == name.lower()), None)
    if found is None:
        raise errors.not_found(name, "")
    return found


def _books(fake: FakeXero, request: Request) -> Books:
    return fake.books(request.headers[TENANT_HEADER].strip().lower())


def _envelope(
    fake: FakeXero, key: str, rows: list[Entity], pagination: dict[str, int] | None = None
) -> Response:
    body: Entity = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": "roofops sandbox",
        "DateTimeUTC": ms_date(fake.clock()),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[key] = rows
    return XeroJSON(body)


def _listing(fake: FakeXero, books: Books, resource: str, request: Request) -> Response:
    query = _list_query(resource, request)
    rows = select(books, resource, query)
    if resource == "Contacts" and request.query_params.get("includeArchived", "").lower() != "true":
        rows = [row for row in rows if row["ContactStatus"] != "ARCHIVED"]
    chosen, pagination = page_of(rows, query)
    if pagination is None and resource in SUMMARISED:
        chosen = [{k: v for k, v in row.items() if k != "LineItems"} for row in chosen]
    response = _envelope(fake, resource, chosen, pagination)
    if query.page is not None:
        for hook in list(fake.between_pages):
            hook(books, resource, query.page)
    return response


def _list_query(resource: str, request: Request) -> ListQuery:
    params = request.query_params
    filters = tuple(
        (field, frozenset(v.strip().lower() for v in params[name].split(",") if v.strip()))
        for name, field in FILTERS.get(resource, {}).items()
        if params.get(name)
    )
    return ListQuery(
        where=params.get("where", ""),
        order=params.get("order", ""),
        since=_if_modified_since(request.headers.get("If-Modified-Since")),
        page=max(1, _integer(params["page"], 1)) if "page" in params else None,
        page_size=min(MAX_PAGE_SIZE, max(1, _integer(params.get("pageSize"), PAGE_SIZE))),
        filters=filters,
    )


def _integer(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _if_modified_since(text: str | None) -> datetime | None:
    """ISO (a naive one is UTC) or an HTTP date; one we cannot read is ignored, as HTTP says."""
    if not text:
        return None
    try:
        return parse_moment(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


# ----- writes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """What a write names: PUT creates, POST creates or updates, a path id updates that one."""

    resource: str
    record_id: str | None
    creating: bool


async def _write(fake: FakeXero, request: Request, target: Target) -> Response:
    """Replay a known Idempotency-Key; otherwise write, remember the answer, maybe lose it."""
    tenant_id = request.headers[TENANT_HEADER].strip().lower()
    body = await request.body()
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        return await _answered(fake, _written(fake, request, target, body))
    if len(key) > MAX_KEY_LENGTH:
        message = f"Idempotency-Key is over {MAX_KEY_LENGTH} characters"
        raise errors.bad_request(errors.VALIDATION, message)
    asked = fingerprint(request.method, route_path(request), str(request.query_params), body)
    async with fake.replays.key_lock(tenant_id, key):
        remembered = fake.replays.get(tenant_id, key)
        if remembered is not None and remembered.fingerprint != asked:
            message = f"Idempotency-Key {key} is used with a different request"
            raise errors.bad_request(errors.VALIDATION, message)
        if remembered is not None:
            return Response(remembered.body, remembered.status, media_type=XeroJSON.media_type)
        response = _written(fake, request, target, body)
        fake.replays.put(tenant_id, key, asked, response.status_code, bytes(response.body))
    return await _answered(fake, response)


async def _answered(fake: FakeXero, response: Response) -> Response:
    """A written answer, unless a fault stalls it past the client's timeout or loses it."""
    if response.status_code < 400 and fake.faults.strikes("stalled_writes"):
        await asyncio.sleep(fake.faults.slow_seconds)
    return _maybe_lost(fake, response)


def _written(fake: FakeXero, request: Request, target: Target, raw: bytes) -> Response:
    books = _books(fake, request)
    summarize = request.query_params.get("summarizeErrors", "true").lower() != "false"
    try:
        rows = _apply_all(books, target, _elements(raw, target.resource), summarize=summarize)
        response = _envelope(fake, target.resource, rows)
    except XeroFailure as failure:
        return XeroJSON(failure.body, status_code=failure.status)
    return response


def _maybe_lost(fake: FakeXero, response: Response) -> Response:
    """The ``lost_writes`` fault: the write stands (and is remembered), its answer is a 502."""
    if response.status_code >= 400 or not fake.faults.strikes("lost_writes"):
        return response
    lost = errors.problem(502, "Bad Gateway", "the write was saved; the answer was lost")
    return XeroJSON(lost.body, status_code=502)


def _elements(raw: bytes, resource: str) -> list[Entity]:
    """``{"Invoices": [...]}`` or one bare object."""
    try:
        body = json.loads(raw, parse_float=Decimal)
    except ValueError as exc:
        raise errors.bad_request(errors.POST_DATA_INVALID, "The body is not valid JSON") from exc
    listed = body.get(resource) if isinstance(body, dict) else None
    elements = listed if isinstance(listed, list) else [body]
    if not elements or not all(isinstance(element, dict) for element in elements):
        raise errors.bad_request(errors.POST_DATA_INVALID, f"Expected {resource} objects")
    return elements


def _apply_all(
    books: Books, target: Target, elements: list[Entity], *, summarize: bool
) -> list[Entity]:
    """Every element, all or nothing; with ``summarizeErrors=false`` each on its own, its
    failure reported in its ``StatusAttributeString`` and ``ValidationErrors``."""
    if not summarize:
        return [_one_of_many(books, target, element) for element in elements]
    with books.transaction():
        outcomes = [_one_of_many(books, target, element) for element in elements]
        if any(outcome["StatusAttributeString"] == "ERROR" for outcome in outcomes):
            raise errors.elements_refused(outcomes)
    return [{k: v for k, v in row.items() if k != "StatusAttributeString"} for row in outcomes]


def _one_of_many(books: Books, target: Target, element: Entity) -> Entity:
    try:
        with books.transaction():
            row = _apply(books, target, element)
    except XeroFailure as failure:
        if failure.status == 404:
            detail = str(failure.body.get("Detail", ""))
            return {
                **element,
                "ValidationErrors": [{"Message": detail}],
                "StatusAttributeString": "ERROR",
            }
        return {**failure.body["Elements"][0], "StatusAttributeString": "ERROR"}
    return {**row, "StatusAttributeString": "OK"}


def _apply(books: Books, target: Target, element: Entity) -> Entity:
    if target.resource == "Allocations":
        return allocate_credit(books, str(target.record_id), element)
    if target.resource == "Options":
        return tracking_option(books, str(target.record_id), element)
    if target.resource == "Contacts":
        if target.creating and element.get("ContactID"):
            raise errors.validation(element, "PUT creates contacts: send no ContactID")
        return save_contact(books, element, target.record_id)
    if target.resource == "Payments":
        if target.record_id is not None:
            return delete_payment(books, target.record_id, element)
        return create_payment(books, element)
    return _document(books, DOCUMENTS[target.resource], target, element)


def _document(books: Books, kind: Kind, target: Target, element: Entity) -> Entity:
    """PUT creates; POST updates the one named (in the path, by id or by number) or creates."""
    if target.creating:
        return create(books, kind, element)
    if target.record_id is not None:
        return update(books, kind, target.record_id, element)
    existing = find(books, kind, element)
    if existing is None and element.get(kind.id_field):
        raise errors.not_found(kind.resource, str(element[kind.id_field]))
    if existing is None:
        return create(books, kind, element)
    return update(books, kind, existing[kind.id_field], element)
