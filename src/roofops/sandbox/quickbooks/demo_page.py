"""The sandbox's stand-in for the QuickBooks screen where a bookkeeper receives a payment.

``GET /demo/payments`` lists the open invoices of the sandbox company; "Record payment" takes an
amount against one or more of them and records ONE payment split over those invoices, exactly
as ``POST /v3/company/{realm}/payment`` would (the same checks: never above an invoice's open
balance). The demo (and a browser test) uses it to enter a payment only in the books, then
syncs to see it flow back. It is part of the fake vendor, never of roofops.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from roofops.sandbox.quickbooks.errors import FakeFault
from roofops.sandbox.quickbooks.payments import record_payment
from roofops.sandbox.quickbooks.store import ZERO, Books, Entity

PAGE_PATH = "/demo/payments"
AMOUNT_FIELD = "amount-"  # + the invoice's Id


def demo_routes(companies: dict[str, Books]) -> APIRouter:
    router = APIRouter()

    @router.get(PAGE_PATH)
    def payments_page(request: Request) -> Response:
        realm_id = request.query_params.get("realm") or next(iter(companies), "")
        books = companies.get(realm_id)
        if books is None:
            return HTMLResponse("<h1>No such company</h1>", status_code=404)
        said = request.query_params.get("said", "")
        refused = request.query_params.get("refused", "")
        return HTMLResponse(_page(books, realm_id, said, refused))

    @router.post(PAGE_PATH)
    async def receive_payment(request: Request) -> Response:
        form = await request.form()
        realm_id = str(form.get("realm") or "")
        books = companies.get(realm_id)
        if books is None:
            return HTMLResponse("<h1>No such company</h1>", status_code=404)
        amounts = {
            key.removeprefix(AMOUNT_FIELD): str(value).strip()
            for key, value in form.items()
            if key.startswith(AMOUNT_FIELD) and str(value).strip()
        }
        outcome = _record(books, amounts)
        return RedirectResponse(f"{request.url.path}?realm={quote(realm_id)}&{outcome}", 303)

    return router


def _record(books: Books, amounts: dict[str, str]) -> str:
    """The query string that tells the page what happened."""
    try:
        parsed = {invoice_id: Decimal(text) for invoice_id, text in amounts.items()}
    except InvalidOperation:
        return "refused=" + quote("Amounts are numbers, such as 1250.00")
    if not parsed:
        return "refused=" + quote("Enter an amount against at least one invoice")
    try:
        payment = record_payment(books, parsed.keys(), parsed.values(), books.clock())
    except FakeFault as refused:
        return "refused=" + quote(refused.detail)
    return "said=" + quote(f"Payment {payment['Id']} of {payment['TotalAmt']} recorded")


def _page(books: Books, realm_id: str, said: str, refused: str) -> str:
    rows = "".join(_row(invoice) for invoice in _open_invoices(books))
    notice = ""
    if said or refused:
        kind = "Refused: " if refused else ""
        notice = f'<p role="status"><strong>{kind}{escape(refused or said)}</strong></p>'
    return (
        # Plain HTML: the app's Content-Security-Policy (style-src 'self') covers the sandbox.
        "<!doctype html><html><head><title>Sandbox books: receive a payment</title></head>"
        "<body><h1>Sandbox books: receive a payment</h1>"
        "<p>The demo's QuickBooks company. A payment recorded here exists only in the books, "
        "as one a bookkeeper enters; sync from roofops to see it flow back.</p>"
        f'{notice}<form method="post"><input type="hidden" name="realm" '
        f'value="{escape(realm_id)}"><table border="1" cellpadding="4"><thead><tr>'
        "<th>Invoice</th><th>Customer</th>"
        "<th>Due</th><th>Total</th><th>Open balance</th>"
        f"<th>Amount received</th></tr></thead><tbody>{rows}</tbody></table>"
        '<p><button type="submit">Record payment</button></p></form></body></html>'
    )


def _open_invoices(books: Books) -> list[Entity]:
    found = [i for i in books.rows("Invoice") if Decimal(str(i.get("Balance", ZERO))) > 0]
    return sorted(found, key=lambda i: (str(i.get("DocNumber", "")), int(i["Id"])))


def _row(invoice: Entity) -> str:
    doc = escape(str(invoice.get("DocNumber") or invoice["Id"]))
    customer = escape(str(invoice.get("CustomerRef", {}).get("name", "")))
    field = f"{AMOUNT_FIELD}{escape(invoice['Id'])}"
    return (
        f"<tr><td>{doc}</td><td>{customer}</td><td>{escape(str(invoice.get('DueDate', '')))}"
        f"</td><td>{invoice['TotalAmt']}</td><td>{invoice['Balance']}"
        f'</td><td><input name="{field}" aria-label="Amount received on {doc}" '
        'inputmode="decimal" size="10"></td></tr>'
    )
