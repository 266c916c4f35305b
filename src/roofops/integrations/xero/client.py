"""Xero Accounting API client: one method per remote call, typed results (spec digest 2).

Built on :class:`~roofops.kit.http.VendorHTTP` (timeouts, retries honouring ``Retry-After``, a
token bucket) and adds what is particular to Xero:

* ``xero-tenant-id`` on every call: one client serves one organisation;
* at most 5 calls in flight per tenant (a semaphore shared by the client's threads) and about
  60 a minute (a token bucket of 55 a minute with a burst of 5);
* ``Idempotency-Key`` on every write, so a retried write whose answer was lost is answered
  again instead of creating a second record;
* ``If-Modified-Since`` reads walked by :meth:`XeroClient.changed`, keyset fashion: each request
  starts just before the last ``UpdatedDateUTC`` seen, so a record edited while we page moves
  to the end of the walk instead of shifting another record past us;
* a 401 asks ``on_token_rejected`` once for a fresh token and retries once; 400 bodies become a
  :class:`XeroValidationError` with Xero's messages.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from roofops.integrations.core.runs import BACKGROUND_RETRY
from roofops.integrations.xero.schemas import (
    Account,
    Contact,
    ContactDraft,
    Invoice,
    InvoiceDraft,
    Organisation,
    Page,
    Payment,
    PaymentDraft,
    RecordT,
    TrackingCategory,
    TrackingOption,
    XeroRecord,
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

VENDOR = "xero"
API_BASE_URL = "https://api.xero.com"
TENANT_HEADER = "xero-tenant-id"
PAGE_SIZE = 100
CONCURRENT_CALLS = 5
IDEMPOTENCY_KEY_MAX = 128
# Each keyset step restarts this much before the last stamp seen, so records sharing that
# millisecond are read again whether Xero's If-Modified-Since is inclusive or not.
STEP_BACK = timedelta(milliseconds=1)

ModelT = TypeVar("ModelT", bound=BaseModel)
TokenProvider = Callable[[], str]
TokenRefresher = Callable[[str], str]


def default_limiter() -> RateLimiter:
    """55 a minute with a burst of 5: never more than 60 in any minute."""
    return RateLimiter(55 / 60, 5)


class XeroValidationError(VendorRequestError):
    """400: Xero refused the request; ``messages`` are its ValidationErrors (or Message)."""

    code = "xero_validation"

    def __init__(self, messages: list[str], *, status: int, body: str = "") -> None:
        super().__init__(
            f"Xero refused: {'; '.join(messages)}", vendor=VENDOR, status=status, body=body
        )
        self.messages = messages


class XeroNotFound(VendorRequestError):
    code = "xero_not_found"


class XeroAuthError(VendorAuthError):
    """401 (token expired or revoked) or 403 (the tenant is not connected to this consent)."""

    code = "xero_auth"


def error_from(response: httpx.Response) -> VendorRequestError | VendorAuthError:
    status, text = response.status_code, response.text[:500]
    try:
        body: Any = vendor_json(response.content)
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if status in (401, 403):
        detail = str(body.get("Detail") or body.get("detail") or "")
        return XeroAuthError(
            f"Xero answered {status}: {detail}", vendor=VENDOR, status=status, body=text
        )
    if status == 404:
        return XeroNotFound("Xero has no such record", vendor=VENDOR, status=status, body=text)
    return XeroValidationError(_messages(body), status=status, body=text)


def _messages(body: dict[str, Any]) -> list[str]:
    found = [
        str(error.get("Message", ""))
        for element in body.get("Elements") or []
        for error in element.get("ValidationErrors") or []
    ]
    return found or [str(body.get("Message") or "the request was refused")]


class XeroClient(VendorClient):
    def __init__(
        self,
        tenant_id: str,
        access_token_provider: TokenProvider,
        *,
        on_token_rejected: TokenRefresher | None = None,
        base_url: str = API_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        concurrency: threading.Semaphore | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        """``limiter`` and ``concurrency`` belong to the tenant: share them between the clients
        (threads, workers) of one connection."""
        self.tenant_id = tenant_id
        self._token = access_token_provider
        self._on_token_rejected = on_token_rejected
        self.http = VendorHTTP(
            VENDOR,
            f"{base_url.rstrip('/')}/api.xro/2.0/",
            transport=transport,
            timeout=timeout,
            retry=retry or BACKGROUND_RETRY,
            limiter=limiter or default_limiter(),
            sleep=sleep,
            clock=clock,
            rng=rng,
            headers={TENANT_HEADER: tenant_id},
            event_hooks={"response": [_inspect]},
            concurrency=concurrency or threading.BoundedSemaphore(CONCURRENT_CALLS),
        )

    # ----- reads -------------------------------------------------------------------------
    def organisation(self) -> Organisation:
        rows = self._json(self._call("GET", "Organisation")).get("Organisations") or [None]
        return self._parsed(Organisation, rows[0], "the organisation")

    def tracking_categories(self) -> list[TrackingCategory]:
        rows = self._json(self._call("GET", "TrackingCategories")).get("TrackingCategories", [])
        return [self._parsed(TrackingCategory, row, "a tracking category") for row in rows]

    def accounts(self) -> list[Account]:
        rows = self._json(self._call("GET", "Accounts")).get("Accounts", [])
        return [self._parsed(Account, row, "an account") for row in rows]

    def get(self, model: type[RecordT], record_id: str) -> RecordT:
        rows = self._json(self._call("GET", f"{model.resource}/{record_id}")).get(model.resource)
        return self._parsed(model, (rows or [None])[0], f"{model.resource} {record_id}")

    def page(
        self,
        model: type[RecordT],
        page: int = 1,
        *,
        page_size: int = PAGE_SIZE,
        where: str | None = None,
        order: str | None = None,
        since: datetime | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> Page[RecordT]:
        """One page (with line items), and how many records all pages hold."""
        params: dict[str, Any] = {"page": page, "pageSize": page_size, **(filters or {})}
        params.update({k: v for k, v in (("where", where), ("order", order)) if v})
        headers = {"If-Modified-Since": _since_header(since)} if since is not None else {}
        answer = self._json(self._call("GET", model.resource, params=params, headers=headers))
        paging = answer.get("pagination") or {}
        records = [
            self._parsed(model, row, model.resource) for row in answer.get(model.resource, [])
        ]
        return Page(records, page, int(paging.get("pageCount", 0)), int(paging.get("itemCount", 0)))

    def changed(
        self,
        model: type[RecordT],
        since: datetime | None = None,
        *,
        where: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[RecordT]:
        """Every record updated after ``since`` (all of them without it), oldest first, each
        version once; a record edited during the walk comes again, as its newer version."""
        seen: dict[str, datetime] = {}
        cursor, number = since, 1
        while True:
            found = self.page(
                model,
                number,
                page_size=page_size,
                where=where,
                order="UpdatedDateUTC ASC",
                since=cursor,
            )
            for record in found.records:
                if seen.get(record.record_id) != record.updated_date_utc:
                    seen[record.record_id] = record.updated_date_utc
                    yield record
            if len(found.records) < page_size:
                return
            cursor, number = _next_step(cursor, number, found.records[-1])

    def invoices_numbered(self, *numbers: str) -> list[Invoice]:
        """The invoices with these numbers: what to look up before creating one."""
        filters = {"InvoiceNumbers": ",".join(numbers)}
        return self.page(Invoice, 1, page_size=max(len(numbers), 1), filters=filters).records

    # ----- writes ------------------------------------------------------------------------
    def create_contact(self, draft: ContactDraft, *, idempotency_key: str) -> Contact:
        return self._write("PUT", Contact, "Contacts", draft.to_xero(), idempotency_key)

    def create_invoice(self, draft: InvoiceDraft, *, idempotency_key: str) -> Invoice:
        """PUT creates only: a number already used is refused (XeroValidationError)."""
        return self._write("PUT", Invoice, "Invoices", draft.to_xero(), idempotency_key)

    def update_invoice(
        self, invoice_id: str, changes: Mapping[str, Any], *, idempotency_key: str
    ) -> Invoice:
        """Fields of one invoice, or its status (``{"Status": "VOIDED"}``)."""
        path = f"Invoices/{invoice_id}"
        return self._write("POST", Invoice, path, dict(changes), idempotency_key)

    def create_tracking_option(
        self, category_id: str, name: str, *, idempotency_key: str
    ) -> TrackingOption:
        """A new option of a tracking category (a job's, in the Job category)."""
        _check_key(idempotency_key)
        path = f"TrackingCategories/{category_id}/Options"
        headers = {"Idempotency-Key": idempotency_key}
        answer = self._json(self._call("PUT", path, json={"Name": name}, headers=headers))
        return self._parsed(TrackingOption, (answer.get("Options") or [None])[0], "an option")

    def create_payment(self, draft: PaymentDraft, *, idempotency_key: str) -> Payment:
        return self._write("PUT", Payment, "Payments", draft.to_xero(), idempotency_key)

    def _write(
        self, method: str, model: type[RecordT], path: str, body: dict[str, Any], key: str
    ) -> RecordT:
        _check_key(key)
        headers = {"Idempotency-Key": key}
        answer = self._json(self._call(method, path, json=body, headers=headers))
        return self._parsed(model, (answer.get(model.resource) or [None])[0], f"the written {path}")

    # ----- plumbing ----------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One call; after a 401, one more with the token ``on_token_rejected`` hands back."""
        token = self._token()
        try:
            return self._send(method, path, token, params=params, json=json, headers=headers)
        except XeroAuthError as exc:
            if exc.status != 401 or self._on_token_rejected is None:
                raise
            log.info("xero.token.rejected", tenant_id=self.tenant_id, path=path)
            fresh = self._on_token_rejected(token)
            return self._send(method, path, fresh, params=params, json=json, headers=headers)

    def _send(
        self,
        method: str,
        path: str,
        token: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        return self.http.request(
            method,
            path,
            params=params,
            json=json,
            headers={**(headers or {}), "Authorization": f"Bearer {token}"},
        )

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            answer = vendor_json(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise self._unreadable(response, "a body that is not JSON") from exc
        if not isinstance(answer, dict):
            raise self._unreadable(response, "a body that is not a JSON object")
        return answer

    def _parsed(self, model: type[ModelT], raw: Any, what: str) -> ModelT:
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            raise VendorResponseError(
                f"Xero answered with {what} we cannot read: {exc.error_count()} problems",
                vendor=VENDOR,
                status=200,
            ) from exc

    def _unreadable(self, response: httpx.Response, what: str) -> VendorResponseError:
        return VendorResponseError(
            f"Xero answered with {what}",
            vendor=VENDOR,
            status=response.status_code,
            body=response.text[:500],
        )


def _check_key(key: str) -> None:
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        raise ValueError(f"an Idempotency-Key is 1 to {IDEMPOTENCY_KEY_MAX} characters")


def _inspect(response: httpx.Response) -> None:
    """Response hook: 4xx become typed errors (429 is left to the retries)."""
    status = response.status_code
    if 400 <= status < 500 and status != 429:
        response.read()
        raise error_from(response)


def _since_header(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("If-Modified-Since needs an aware datetime")
    return moment.isoformat(timespec="milliseconds")


def _next_step(
    cursor: datetime | None, number: int, last: XeroRecord
) -> tuple[datetime | None, int]:
    """Restart just before the last stamp read; if that does not move the cursor (a full page
    of one instant), step to the next page of that instant instead."""
    restart = last.updated_date_utc - STEP_BACK
    if cursor is not None and restart <= cursor:
        return cursor, number + 1
    return restart, 1
