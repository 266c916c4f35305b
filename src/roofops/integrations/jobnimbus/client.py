"""JobNimbus api1 client: one method per remote call, typed records, polite by default.

Lists are paged with ``size``/``from`` in creation order (``date_created`` ascending), which an
edit cannot change: a record edited while a list is paged keeps its place, so no unseen record
is shifted back past the offset and skipped (sorted by ``date_updated``, every edit would move
a record to the end and skip one). Lists can be filtered to records changed since a moment, which
is what an incremental sync needs; :meth:`JobNimbusClient.probe` reads the newest changes first,
which is where a sync takes its next cursor from. A malformed record does not fail its page:
each record is validated on its own and the failures come back as
:attr:`~roofops.integrations.jobnimbus.schemas.Page.rejects` for the sync to report.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from roofops.exceptions import ConfigurationError
from roofops.integrations.jobnimbus.schemas import (
    AccountSettings,
    Activity,
    Contact,
    Job,
    Page,
    RecordT,
    Reject,
    Task,
)
from roofops.kit.http import (
    DEFAULT_TIMEOUT,
    Clock,
    RateLimiter,
    RetryPolicy,
    VendorClient,
    VendorHTTP,
    VendorResponseError,
)
from roofops.kit.time import as_utc
from roofops.logging import get_logger

log = get_logger(__name__)

VENDOR = "jobnimbus"
DEFAULT_BASE_URL = "https://app.jobnimbus.com/api1/"
PAGE_SIZE = 1000
# Without these a record cannot be validated or placed in an incremental sync.
IDENTITY_FIELDS = ("jnid", "date_created", "date_updated")

TermValue = str | int | bool
Terms = Mapping[str, TermValue | Sequence[TermValue]]


@dataclass(frozen=True)
class Order:
    field: str
    direction: str


# Paging order: a record's creation date never changes, so its position does not either.
CREATION_ORDER = Order("date_created", "asc")
NEWEST_CHANGE_FIRST = Order("date_updated", "desc")


@dataclass(frozen=True)
class Resource(Generic[RecordT]):
    path: str
    list_key: str
    model: type[RecordT]


CONTACTS = Resource("contacts", "results", Contact)
JOBS = Resource("jobs", "results", Job)
TASKS = Resource("tasks", "results", Task)
ACTIVITIES = Resource("activities", "activity", Activity)


def polite_limiter() -> RateLimiter:
    """JobNimbus documents no limit; the spec asks for concurrency of 2 at most."""
    return RateLimiter(5.0, 2)


class JobNimbusClient(VendorClient):
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if not api_key.strip():
            raise ConfigurationError("the JobNimbus API key is empty")
        self.http = VendorHTTP(
            VENDOR,
            base_url,
            transport=transport,
            timeout=timeout,
            retry=retry,
            limiter=limiter or polite_limiter(),
            sleep=sleep,
            clock=clock,
            rng=rng,
            headers={"Authorization": f"Bearer {api_key}"},
        )

    def page(
        self,
        resource: Resource[RecordT],
        *,
        updated_since: datetime | None = None,
        size: int = PAGE_SIZE,
        from_: int = 0,
        terms: Terms | None = None,
        fields: Sequence[str] | None = None,
    ) -> Page[RecordT]:
        """One page of a list (contacts, jobs, tasks, activities: the calls differ only in the
        resource), in creation order."""
        return self.list_page(resource, list_params(updated_since, size, from_, terms, fields))

    def get_job(self, jnid: str) -> Job:
        return self.get_record(JOBS, jnid)

    def get_contact(self, jnid: str) -> Contact:
        return self.get_record(CONTACTS, jnid)

    def account_settings(self) -> AccountSettings:
        payload = self._get_json("account/settings")
        try:
            return AccountSettings.model_validate(payload)
        except ValidationError as exc:
            raise self._unreadable(f"account settings are malformed: {summary(exc)}") from exc

    def probe(
        self, resource: Resource[RecordT], updated_since: datetime | None, size: int = PAGE_SIZE
    ) -> Page[RecordT]:
        """The first page of the newest changes: its ``count`` is how many records match now
        and its first record the newest ``date_updated``; when the count fits in one page it is
        the whole list, read in one request."""
        params = list_params(updated_since, size, 0, None, None, order=NEWEST_CHANGE_FIRST)
        return self.list_page(resource, params)

    def iter_pages(
        self,
        resource: Resource[RecordT],
        updated_since: datetime | None,
        size: int,
        terms: Terms | None,
        fields: Sequence[str] | None,
    ) -> Iterator[Page[RecordT]]:
        """Every page in creation order until ``from >= count`` (the documented way).

        ``from`` moves on by the records a page actually held, so a server that serves fewer
        than ``size`` skips nothing. A record created while paging lands at the end (read if
        the paging gets there) and a record entering a ``date_updated`` filter mid-way can only
        push a record already read into the next page: read twice, never skipped.
        """
        from_ = 0
        while True:
            page = self.list_page(resource, list_params(updated_since, size, from_, terms, fields))
            yield page
            from_ += len(page.results) + len(page.rejects)
            if from_ >= page.count or not (page.results or page.rejects):
                return

    def list_page(self, resource: Resource[RecordT], params: Mapping[str, Any]) -> Page[RecordT]:
        payload = self._get_json(resource.path, params)
        page = parse_page(payload, resource, from_=int(params.get("from", 0)))
        if page.rejects:
            log.warning(
                "jobnimbus.records.rejected",
                resource=resource.path,
                count=len(page.rejects),
                first=page.rejects[0].record,
            )
        return page

    def get_record(self, resource: Resource[RecordT], jnid: str) -> RecordT:
        payload = self._get_json(f"{resource.path}/{quote(jnid, safe='')}")
        try:
            return resource.model.model_validate(payload)
        except ValidationError as exc:
            message = f"{resource.path} record {jnid} is malformed: {summary(exc)}"
            raise self._unreadable(message) from exc

    def _get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.http.json(self.http.request("GET", path, params=params))

    def _unreadable(self, message: str) -> VendorResponseError:
        return VendorResponseError(message, vendor=VENDOR, status=200)


def list_params(
    updated_since: datetime | None,
    size: int,
    from_: int,
    terms: Terms | None,
    fields: Sequence[str] | None,
    *,
    order: Order = CREATION_ORDER,
) -> dict[str, Any]:
    """Query parameters for a list call; the filter is JSON that httpx URL-encodes."""
    params: dict[str, Any] = {
        "size": size,
        "from": from_,
        "sort_field": order.field,
        "sort_direction": order.direction,
    }
    clauses = filter_clauses(updated_since, terms)
    if clauses:
        params["filter"] = json.dumps({"must": clauses}, separators=(",", ":"))
    if fields:
        params["fields"] = ",".join(dict.fromkeys([*IDENTITY_FIELDS, *fields]))
    return params


def filter_clauses(updated_since: datetime | None, terms: Terms | None) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if updated_since is not None:
        # Epoch seconds, rounded down so a record updated in the same second is not missed.
        epoch = int(as_utc(updated_since).timestamp())
        clauses.append({"range": {"date_updated": {"gte": epoch}}})
    for field_name, value in (terms or {}).items():
        if isinstance(value, str | int | bool):
            clauses.append({"term": {field_name: value}})
        else:
            clauses.append({"terms": {field_name: list(value)}})
    return clauses


def parse_page(payload: Any, resource: Resource[RecordT], *, from_: int) -> Page[RecordT]:
    """Validate each record on its own so one bad record costs one record, not the page."""
    records = payload.get(resource.list_key) if isinstance(payload, dict) else None
    count = payload.get("count") if isinstance(payload, dict) else None
    if not isinstance(records, list) or not isinstance(count, int):
        raise VendorResponseError(
            f"jobnimbus {resource.path} list has no count and {resource.list_key!r} list",
            vendor=VENDOR,
            status=200,
        )
    results: list[RecordT] = []
    rejects: list[Reject] = []
    for index, raw in enumerate(records, start=from_):
        try:
            results.append(resource.model.model_validate(raw))
        except ValidationError as exc:
            rejects.append(Reject(_reference(raw, index), summary(exc)))
    return Page(count=count, results=results, rejects=rejects, from_=from_)


def _reference(raw: Any, index: int) -> str | int:
    jnid = raw.get("jnid") if isinstance(raw, dict) else None
    return jnid if isinstance(jnid, str) and jnid else index


def summary(exc: ValidationError) -> str:
    """Field paths and reasons, without the input values (they may hold customer data)."""
    problems = exc.errors(include_input=False, include_url=False)
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'record'}: {problem['msg']}"
        for problem in problems
    )
