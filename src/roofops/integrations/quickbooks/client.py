"""QuickBooks Online accounting API v3 client: one method per remote call, typed results.

Built on :class:`~roofops.kit.http.VendorHTTP` (timeouts, retries, rate limiting) and adds what
is particular to QuickBooks (spec digest section 1):

* ``minorversion=75`` on every call and ``requestid`` on every write;
* queries of name lists (customers, items, accounts, classes) read inactive records too;
* Fault bodies become typed errors (5010 -> :class:`StaleObjectError`), including the lowercase
  401 body and Faults inside HTTP 200 answers;
* 429 carries no ``Retry-After`` and may have an XML body: :data:`SYNC_RETRY` backs off with
  jitter up to QuickBooks' one-minute window, for minutes of elapsed time, not a count of tries;
* a 401 asks ``on_token_rejected`` once for a fresh token and retries once;
* one malformed entity is reported in :attr:`Page.malformed` instead of failing its page.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import httpx
from pydantic import ValidationError

from roofops.integrations.core.runs import BACKGROUND_RETRY
from roofops.integrations.quickbooks.schemas import (
    CdcResult,
    Customer,
    CustomerDraft,
    DeletedEntity,
    EntityT,
    Invoice,
    InvoiceDraft,
    InvoicePatch,
    Malformed,
    Page,
    Preferences,
    QboEntity,
)
from roofops.kit.http import (
    DEFAULT_TIMEOUT,
    Clock,
    RateLimiter,
    RetryPolicy,
    VendorAuthError,
    VendorClient,
    VendorHTTP,
    VendorRequestError,
    VendorResponseError,
    vendor_json,
)
from roofops.logging import get_logger

log = get_logger(__name__)

VENDOR = "quickbooks"
PRODUCTION_BASE_URL = "https://quickbooks.api.intuit.com"
SANDBOX_BASE_URL = "https://sandbox-quickbooks.api.intuit.com"
MINOR_VERSION = 75
PAGE_SIZE = 1000
CDC_CAP = 1000
BATCH_LIMIT = 30
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36
BATCH_ID_MAX = 10
# QuickBooks has no Retry-After contract; after a 429 it asks for about a minute (spec 1.10).
THROTTLE_WINDOW = 60.0
STALE_OBJECT = "5010"
NOT_FOUND = "610"
ACTIVE_OR_NOT = "Active IN (true, false)"
_NAMES_ACTIVE = re.compile(r"(?<![\w.'])Active\s*(?:=|<|>|\bIN\b)", re.IGNORECASE)

TokenProvider = Callable[[], str]
TokenRefresher = Callable[[str], str]


def default_limiter() -> RateLimiter:
    """8/s with a burst of 2: never more than 10 in a second nor 500 in a minute per realm."""
    return RateLimiter(8.0, 2)


# Half a second clears the 10-a-second limit, the one-minute window the 500-a-minute one: the
# background policy rides out any throttle shorter than 3 minutes, whatever the jitter draws.
SYNC_RETRY = BACKGROUND_RETRY
assert SYNC_RETRY.max_delay == THROTTLE_WINDOW


@dataclass(frozen=True)
class FaultError:
    code: str
    message: str
    detail: str = ""
    element: str = ""


class QuickBooksFault(VendorRequestError):
    """QuickBooks refused the request with a Fault (HTTP 4xx, or inside a 200)."""

    code = "quickbooks_fault"

    def __init__(
        self, *, status: int | None, fault_type: str, errors: list[FaultError], body: str = ""
    ) -> None:
        first = errors[0] if errors else FaultError("", "unknown fault")
        text = f"QuickBooks {fault_type} {first.code}: {first.message} {first.detail}".strip()
        super().__init__(text, vendor=VENDOR, status=status, body=body)
        self.fault_type = fault_type
        self.errors = errors
        self.fault_code = first.code
        self.fault_message = first.message
        self.detail = first.detail


class StaleObjectError(QuickBooksFault):
    """5010: the SyncToken was stale. Re-read by Id, re-apply the change, retry (at most 3)."""

    code = "quickbooks_stale_object"


class ObjectNotFound(QuickBooksFault):
    """610: the entity (or an inactive entity it references) does not exist."""

    code = "quickbooks_not_found"


class QuickBooksAuthError(VendorAuthError):
    """401 (token expired or revoked, code 3200) or 403 (not permitted)."""

    def __init__(self, *, status: int, errors: list[FaultError], body: str = "") -> None:
        first = errors[0] if errors else FaultError("", "authentication failed")
        message = f"QuickBooks answered {status}: {first.code} {first.message}".strip()
        super().__init__(message, vendor=VENDOR, status=status, body=body)
        self.errors = errors


def parse_fault(text: str) -> tuple[str, list[FaultError]] | None:
    """``(type, errors)`` from a JSON ``Fault``, the lowercase 401 ``fault`` or an XML Fault."""
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return _xml_fault(stripped)
    try:
        payload = vendor_json(stripped)
    except ValueError:
        return None
    fault = payload.get("Fault") or payload.get("fault") if isinstance(payload, dict) else None
    return _json_fault(fault) if isinstance(fault, dict) else None


def _json_fault(fault: dict[str, Any]) -> tuple[str, list[FaultError]]:
    errors = fault.get("Error") or fault.get("error") or []
    return str(fault.get("type", "")), [_fault_error(error) for error in errors]


def _fault_error(error: dict[str, Any]) -> FaultError:
    def pick(*keys: str) -> str:
        return next((str(error[k]) for k in keys if error.get(k) is not None), "")

    return FaultError(
        code=pick("code"),
        message=pick("Message", "message"),
        detail=pick("Detail", "detail"),
        element=pick("element"),
    )


def _xml_fault(text: str) -> tuple[str, list[FaultError]] | None:
    try:
        # A small vendor body; Python's expat refuses entity-expansion bombs.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError:
        return None
    fault = root if _local(root.tag) == "Fault" else root.find(".//{*}Fault")
    if fault is None:
        return None
    errors = [
        FaultError(
            code=error.get("code", ""),
            message=error.findtext("{*}Message") or error.findtext("Message") or "",
            detail=error.findtext("{*}Detail") or error.findtext("Detail") or "",
        )
        for error in fault.iter()
        if _local(error.tag) == "Error"
    ]
    return fault.get("type", ""), errors


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def fault_error(status: int | None, text: str) -> QuickBooksFault | QuickBooksAuthError:
    fault_type, errors = parse_fault(text) or ("", [])
    if status in (401, 403):
        return QuickBooksAuthError(status=status, errors=errors, body=text[:500])
    kind = _fault_class(errors)
    return kind(status=status, fault_type=fault_type, errors=errors, body=text[:500])


def _fault_class(errors: list[FaultError]) -> type[QuickBooksFault]:
    codes = {error.code for error in errors}
    if STALE_OBJECT in codes:
        return StaleObjectError
    if NOT_FOUND in codes:
        return ObjectNotFound
    return QuickBooksFault


def quote(value: str) -> str:
    """A query-language string literal."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def including_inactive(model: type[QboEntity], where: str | None) -> str | None:
    """Name lists answer only their active records unless the query names ``Active``; a
    finished job's project is made inactive, yet its bills still need it."""
    if not model.name_list or (where and _NAMES_ACTIVE.search(where)):
        return where
    return " AND ".join(filter(None, (where, ACTIVE_OR_NOT)))


def updated_since(moment: datetime) -> str:
    """The WHERE condition of an incremental read (the caller rewinds by an overlap window)."""
    if moment.tzinfo is None:
        raise ValueError("updated_since needs an aware datetime")
    return f"MetaData.LastUpdatedTime >= {quote(moment.isoformat(timespec='seconds'))}"


@dataclass(frozen=True)
class BatchQuery:
    bid: str
    query: str

    def to_qbo(self) -> dict[str, Any]:
        return {"bId": self.bid, "Query": self.query}


@dataclass(frozen=True)
class BatchWrite:
    bid: str
    operation: str
    entity: str
    body: Mapping[str, Any]

    def to_qbo(self) -> dict[str, Any]:
        return {"bId": self.bid, "operation": self.operation, self.entity: dict(self.body)}


@dataclass(frozen=True)
class BatchResult:
    bid: str
    entity: dict[str, Any] | None = None
    query_response: dict[str, Any] | None = None
    fault: QuickBooksFault | None = None


BatchItem = BatchQuery | BatchWrite


class QuickBooksClient(VendorClient):
    def __init__(
        self,
        realm_id: str,
        access_token_provider: TokenProvider,
        *,
        on_token_rejected: TokenRefresher | None = None,
        base_url: str = PRODUCTION_BASE_URL,
        minorversion: int = MINOR_VERSION,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        """``on_token_rejected(rejected_token)`` returns a fresh access token after a 401.

        It gets the token that was refused so the token store can tell whether another worker
        already replaced it (then no refresh is needed) before refreshing under its lock.
        """
        self.realm_id = realm_id
        self.minorversion = minorversion
        self._token = access_token_provider
        self._on_token_rejected = on_token_rejected
        self.http = VendorHTTP(
            VENDOR,
            f"{base_url.rstrip('/')}/v3/company/{realm_id}/",
            transport=transport,
            timeout=timeout,
            retry=retry or SYNC_RETRY,
            limiter=limiter or default_limiter(),
            sleep=sleep,
            clock=clock,
            rng=rng,
            event_hooks={"response": [self._inspect]},
        )

    def query(
        self,
        model: type[EntityT],
        where: str | None = None,
        *,
        order_by: str = "Id",
        since: datetime | None = None,
    ) -> Page[EntityT]:
        """Every matching entity, all pages read (see :meth:`query_pages` to commit per page)."""
        result: Page[EntityT] = Page()
        for page in self.query_pages(model, where, order_by=order_by, since=since):
            result.entities.extend(page.entities)
            result.malformed.extend(page.malformed)
            result.rows += page.rows
        return result

    def query_pages(
        self,
        model: type[EntityT],
        where: str | None = None,
        *,
        order_by: str = "Id",
        since: datetime | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[Page[EntityT]]:
        """Pages of ``page_size`` (max 1000) until a short page; ``since`` adds the
        LastUpdatedTime condition and orders by it, for incremental reads."""
        if since is not None:
            where = " AND ".join(filter(None, (where, updated_since(since))))
            order_by = "MetaData.LastUpdatedTime, Id"
        where = including_inactive(model, where)
        start = 1
        while True:
            statement = _statement(model.entity_name, where, order_by, start, page_size)
            page = self._query_page(model, statement, start)
            yield page
            if page.rows < page_size:
                return
            start += page_size

    def count(self, model: type[QboEntity], where: str | None = None) -> int:
        statement = _select("COUNT(*)", model.entity_name, including_inactive(model, where))
        answer = self._json(self._call("GET", "query", params={"query": statement}))
        return int(answer.get("QueryResponse", {}).get("totalCount", 0))

    def get(self, model: type[EntityT], entity_id: str) -> EntityT:
        response = self._call("GET", f"{model.entity_name.lower()}/{entity_id}")
        raw = self._json(response).get(model.entity_name)
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            raise self._unreadable(response, f"{model.entity_name} {entity_id}") from exc

    def cdc(
        self, models: Sequence[type[QboEntity]], changed_since: datetime, *, cap: int = CDC_CAP
    ) -> CdcResult:
        """Changes since ``changed_since`` (at most 30 days back). An answer of ``cap`` objects
        (QuickBooks' 1,000) is marked saturated: more may exist."""
        if changed_since.tzinfo is None:
            raise ValueError("changed_since needs an aware datetime")
        by_name = {model.entity_name: model for model in models}
        params = {
            "entities": ",".join(by_name),
            "changedSince": changed_since.isoformat(timespec="seconds"),
        }
        answer = self._json(self._call("GET", "cdc", params=params))
        return _cdc_result(answer, by_name, cap)

    def batch(
        self, items: Sequence[BatchItem], *, request_id: str | None = None
    ) -> list[BatchResult]:
        """Up to 30 items in one request; each item succeeds or carries its own fault."""
        _check_batch(items, request_id)
        body = {"BatchItemRequest": [item.to_qbo() for item in items]}
        params = {"requestid": request_id} if request_id else {}
        answer = self._json(self._call("POST", "batch", params=params, json=_wire(body)))
        return [_batch_result(item) for item in answer.get("BatchItemResponse", [])]

    def preferences(self) -> Preferences:
        """The company's preferences: its closing date (``BookCloseDate``) among them."""
        response = self._call("GET", "preferences")
        try:
            return Preferences.model_validate(self._json(response).get("Preferences") or {})
        except ValidationError as exc:
            raise self._unreadable(response, "preferences") from exc

    def create_customer(self, draft: CustomerDraft, *, request_id: str) -> Customer:
        return self._write(Customer, "customer", draft.to_qbo(), request_id)

    def create_invoice(self, draft: InvoiceDraft, *, request_id: str) -> Invoice:
        return self._write_invoice(draft.to_qbo(), request_id)

    def void_invoice(self, invoice_id: str, sync_token: str, *, request_id: str) -> Invoice:
        """Zero the invoice and mark it voided (refused once a payment is applied to it)."""
        body = {"Id": invoice_id, "SyncToken": sync_token}
        return self._write(Invoice, "invoice", body, request_id, operation="void")

    def update_invoice(
        self,
        invoice_id: str,
        sync_token: str,
        patch: InvoicePatch,
        *,
        request_id: str,
        sparse: bool = True,
    ) -> Invoice:
        """Update with the SyncToken read last. A full update (``sparse=False``) clears every
        writable field ``patch`` leaves out; a stale token raises :class:`StaleObjectError`."""
        body = {"Id": invoice_id, "SyncToken": sync_token, "sparse": sparse, **patch.to_qbo()}
        return self._write_invoice(body, request_id)

    def _write_invoice(self, body: dict[str, Any], request_id: str) -> Invoice:
        return self._write(Invoice, "invoice", body, request_id)

    def _write(
        self,
        model: type[EntityT],
        path: str,
        body: dict[str, Any],
        request_id: str,
        *,
        operation: str | None = None,
    ) -> EntityT:
        _check_request_id(request_id, REQUEST_ID_MAX)
        params = {"requestid": request_id, **({"operation": operation} if operation else {})}
        response = self._call("POST", path, params=params, json=_wire(body))
        try:
            return model.model_validate(self._json(response).get(model.entity_name))
        except ValidationError as exc:
            raise self._unreadable(response, f"the written {path}") from exc

    def _query_page(self, model: type[EntityT], statement: str, start: int) -> Page[EntityT]:
        answer = self._json(self._call("GET", "query", params={"query": statement}))
        rows = answer.get("QueryResponse", {}).get(model.entity_name, [])
        page: Page[EntityT] = Page(
            start_position=start, rows=len(rows), time=_optional_time(answer.get("time"))
        )
        for raw in rows:
            _collect(model, raw, page.entities, page.malformed)
        return page

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """One call; after a 401, one more with the token ``on_token_rejected`` hands back."""
        token = self._token()
        try:
            return self._send(method, path, token, params, json)
        except QuickBooksAuthError as exc:
            if exc.status != 401 or self._on_token_rejected is None:
                raise
            log.info("quickbooks.token.rejected", realm_id=self.realm_id, path=path)
            return self._send(method, path, self._on_token_rejected(token), params, json)

    def _send(
        self,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, Any] | None,
        json: Any,
    ) -> httpx.Response:
        return self.http.request(
            method,
            path,
            params={**(params or {}), "minorversion": self.minorversion},
            json=json,
            headers={"Authorization": f"Bearer {token}"},
        )

    def _inspect(self, response: httpx.Response) -> None:
        """Response hook: 4xx Faults become typed errors (429 is left to the retries)."""
        status = response.status_code
        if 400 <= status < 500 and status != 429:
            response.read()
            raise fault_error(status, response.text)

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            answer = vendor_json(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise self._unreadable(response, "a body that is not JSON") from exc
        if not isinstance(answer, dict):
            raise self._unreadable(response, "a body that is not a JSON object")
        if "Fault" in answer:
            raise fault_error(response.status_code, response.text)
        return answer

    def _unreadable(self, response: httpx.Response, what: str) -> VendorResponseError:
        return VendorResponseError(
            f"QuickBooks answered with {what} we cannot read",
            vendor=VENDOR,
            status=response.status_code,
            body=response.text[:500],
        )


def _statement(entity: str, where: str | None, order_by: str, start: int, size: int) -> str:
    if not 1 <= size <= PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {PAGE_SIZE}")
    clauses = [_select("*", entity, where)]
    if order_by:
        clauses.append(f"ORDERBY {order_by}")
    clauses.append(f"STARTPOSITION {start} MAXRESULTS {size}")
    return " ".join(clauses)


def _select(selection: str, entity: str, where: str | None) -> str:
    # QuickBooks' query language, not SQL; callers quote literals with quote().
    statement = f"SELECT {selection} FROM {entity}"  # noqa: S608
    return f"{statement} WHERE {where}" if where else statement


def _collect(
    model: type[EntityT], raw: Any, valid: list[EntityT], malformed: list[Malformed]
) -> None:
    try:
        valid.append(model.model_validate(raw))
    except ValidationError as exc:
        entity_id = str(raw.get("Id")) if isinstance(raw, dict) and "Id" in raw else None
        error = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        log.warning("quickbooks.entity.malformed", entity=model.entity_name, id=entity_id)
        malformed.append(Malformed(model.entity_name, entity_id, error))


def _cdc_result(
    answer: dict[str, Any], by_name: Mapping[str, type[QboEntity]], cap: int
) -> CdcResult:
    result = CdcResult(time=_optional_time(answer.get("time")))
    total = 0
    for block in answer.get("CDCResponse", []):
        for part in block.get("QueryResponse", []):
            total += _cdc_part(part, by_name, result)
    result.saturated = total >= cap
    return result


def _cdc_part(part: dict[str, Any], by_name: Mapping[str, type[QboEntity]], into: CdcResult) -> int:
    count = 0
    for name, model in by_name.items():
        for raw in part.get(name, []):
            count += 1
            if isinstance(raw, dict) and raw.get("status") == "Deleted":
                _collect_deleted(name, raw, into)
            else:
                _collect(model, raw, into.changed.setdefault(name, []), into.malformed)
    return count


def _collect_deleted(name: str, raw: dict[str, Any], into: CdcResult) -> None:
    try:
        into.deleted.setdefault(name, []).append(DeletedEntity.model_validate(raw))
    except ValidationError as exc:
        into.malformed.append(Malformed(name, str(raw.get("Id")), str(exc)))


def _optional_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _batch_result(item: dict[str, Any]) -> BatchResult:
    bid = str(item.get("bId", ""))
    if isinstance(item.get("Fault"), dict):
        fault_type, errors = _json_fault(item["Fault"])
        fault = _fault_class(errors)(status=200, fault_type=fault_type, errors=errors)
        return BatchResult(bid, fault=fault)
    if "QueryResponse" in item:
        return BatchResult(bid, query_response=item["QueryResponse"])
    entity = next((value for key, value in item.items() if key != "bId"), None)
    return BatchResult(bid, entity=entity if isinstance(entity, dict) else None)


def _check_request_id(request_id: str, limit: int) -> None:
    if not request_id or len(request_id) > limit:
        raise ValueError(f"requestid must be 1 to {limit} characters")


def _check_batch(items: Sequence[BatchItem], request_id: str | None) -> None:
    if not 1 <= len(items) <= BATCH_LIMIT:
        raise ValueError(f"a batch holds 1 to {BATCH_LIMIT} items")
    if request_id is None:
        return
    _check_request_id(request_id, BATCH_REQUEST_ID_MAX)
    if any(len(item.bid) > BATCH_ID_MAX for item in items):
        raise ValueError(f"with a requestid, each bId is at most {BATCH_ID_MAX} characters")


def _wire(value: Any) -> Any:
    """JSON-ready: Decimal amounts become JSON numbers (2-decimal values print exactly)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    return value
