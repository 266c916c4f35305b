"""The invoices list's query string: lenient parsing, filters for the service, and links back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from roofops.invoice.service import INVOICE_SORTS, InvoiceFilters
from roofops.kit.paging import PageRequest
from roofops.models.invoice import InvoiceKind, InvoicePayer, InvoiceStatus
from roofops.web.job_query import enum_or_none, page_number
from roofops.web.list_links import ListLinks

PAGE_SIZE = 25
DEFAULT_SORT = "-created_at"
PAGE_URL = "/invoices"
CSV_URL = "/invoices/export.csv"


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw and raw.strip() else None
    except ValueError:
        return None


def _sort(raw: str | None) -> str:
    return raw if raw and raw.lstrip("-") in INVOICE_SORTS else DEFAULT_SORT


@dataclass(frozen=True)
class InvoiceListQuery(ListLinks):
    """A bookmarkable search: a stale or hand-edited URL shows results, not an error page."""

    q: str = ""
    status: InvoiceStatus | None = None
    payer_kind: InvoicePayer | None = None
    kind: InvoiceKind | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_params(cls, params: QueryParams) -> InvoiceListQuery:
        return cls(
            q=params.get("q", "").strip()[:100],
            status=enum_or_none(InvoiceStatus, params.get("status")),
            payer_kind=enum_or_none(InvoicePayer, params.get("payer")),
            kind=enum_or_none(InvoiceKind, params.get("kind")),
            issued_from=_day(params.get("from")),
            issued_to=_day(params.get("to")),
            sort=_sort(params.get("sort")),
            page=page_number(params.get("page")),
        )

    def filters(self) -> InvoiceFilters:
        return InvoiceFilters(
            status=self.status,
            payer_kind=self.payer_kind,
            kind=self.kind,
            q=self.q or None,
            issued_from=self.issued_from,
            issued_to=self.issued_to,
        )

    def page_request(self) -> PageRequest:
        return PageRequest(page=self.page, size=PAGE_SIZE, sort=self.sort)

    @property
    def is_filtered(self) -> bool:
        return self.filters() != InvoiceFilters()

    def params(self) -> list[tuple[str, str]]:
        pairs = [
            ("q", self.q),
            ("status", self.status.value if self.status else ""),
            ("payer", self.payer_kind.value if self.payer_kind else ""),
            ("kind", self.kind.value if self.kind else ""),
            ("from", self.issued_from.isoformat() if self.issued_from else ""),
            ("to", self.issued_to.isoformat() if self.issued_to else ""),
            ("sort", "" if self.sort == DEFAULT_SORT else self.sort),
            ("page", "" if self.page == 1 else str(self.page)),
        ]
        return [(key, value) for key, value in pairs if value]

    def url(self) -> str:
        query = urlencode(self.params())
        return f"{PAGE_URL}?{query}" if query else PAGE_URL

    def csv_url(self) -> str:
        """The export of every page, with the same filters and order."""
        query = urlencode([(key, value) for key, value in self.params() if key != "page"])
        return f"{CSV_URL}?{query}" if query else CSV_URL
