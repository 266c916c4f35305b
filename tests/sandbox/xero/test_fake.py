"""The fake Xero's own rules, over HTTP: tenants, the query subset, idempotency, lock dates,
payments, status rules, rate limits, the token server and webhooks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from roofops.integrations.xero.dates import parse_moment
from roofops.integrations.xero.webhooks import SIGNATURE_HEADER, parse_events, verify_signature
from roofops.sandbox.server import serving
from roofops.sandbox.xero.fake import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_WEBHOOK_KEY
from tests.sandbox.xero.harness import XeroHarness, add_contact, add_invoices, invoice_body

REDIRECT = "http://localhost/callback"


def _numbers(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [row["InvoiceNumber"] for row in answer.json()["Invoices"]]


def test_every_call_needs_a_live_token_and_a_tenant_it_reaches(xero: XeroHarness) -> None:
    url = f"{xero.url}/api.xro/2.0/Invoices"
    token = xero.token(xero.roofing.tenant_id)

    without_tenant = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    other_tenant = httpx.get(
        url, headers={"Authorization": f"Bearer {token}", "xero-tenant-id": xero.holdings.tenant_id}
    )
    xero.clock.advance(timedelta(minutes=30))
    expired = httpx.get(
        url, headers={"Authorization": f"Bearer {token}", "xero-tenant-id": xero.roofing.tenant_id}
    )

    assert (without_tenant.status_code, other_tenant.status_code) == (403, 403)
    assert without_tenant.json()["Detail"] == "AuthenticationUnsuccessful"
    assert expired.status_code == 401
    assert expired.json()["Detail"].startswith("TokenExpired")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"where": 'InvoiceNumber=="5001"'}, ["5001"]),
        ({"where": 'Type=="ACCREC" AND Status=="PAID"'}, ["5002"]),
        ({"where": 'Status!="PAID" && Total>=DateTime(2025,1,1)'}, []),
        ({"where": "Total>101.5 OR Total<100.5", "order": "Total DESC"}, ["5002", "5000"]),
        ({"where": "UpdatedDateUTC>=DateTime(2025,06,02,16,00,00)"}, ["5002"]),
        ({"Statuses": "PAID,VOIDED"}, ["5002"]),
        ({"InvoiceNumbers": "5000,5001", "order": "InvoiceNumber DESC"}, ["5001", "5000"]),
    ],
)
def test_the_where_subset_filters_and_orders(
    xero: XeroHarness, params: dict[str, str], expected: list[str]
) -> None:
    ids = add_invoices(xero, 3)
    xero.clock.advance(timedelta(hours=1))
    payment = {"Invoice": {"InvoiceID": ids[2]}, "Account": {"Code": "090"}, "Amount": 102}
    assert xero.api("PUT", "Payments", json=payment | {"Date": "2025-06-02"}).is_success

    assert _numbers(xero.api("GET", "Invoices", params=params)) == expected


def test_where_by_contact_id_and_a_parse_error(xero: XeroHarness) -> None:
    add_invoices(xero, 2)
    other = add_contact(xero, "Someone Else")
    xero.api("PUT", "Invoices", json=invoice_body(other, "6000"))

    found = xero.api("GET", "Invoices", params={"where": f'Contact.ContactID==guid("{other}")'})
    refused = xero.api("GET", "Invoices", params={"where": 'Name.Contains("x")'})

    assert _numbers(found) == ["6000"]
    assert refused.status_code == 400
    assert refused.json()["Type"] == "QueryParseException"


def test_if_modified_since_and_pages(xero: XeroHarness) -> None:
    add_invoices(xero, 150)
    xero.clock.advance(timedelta(minutes=5))
    since = xero.clock().isoformat()
    xero.clock.advance(timedelta(seconds=1))
    edited = xero.roofing.rows("Invoices")[10]
    answer = xero.api("POST", f"Invoices/{edited['InvoiceID']}", json={"Reference": "revised"})
    assert answer.is_success

    first = xero.api("GET", "Invoices", params={"page": 1}).json()
    second = xero.api("GET", "Invoices", params={"page": 2}).json()
    small = xero.api("GET", "Invoices", params={"page": 3, "pageSize": 40}).json()
    changed = xero.api("GET", "Invoices", headers={"If-Modified-Since": since}).json()

    assert first["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 2, "itemCount": 150}
    assert len(first["Invoices"]) == 100
    assert "LineItems" in first["Invoices"][0]
    assert len(second["Invoices"]) == 50
    assert len(small["Invoices"]) == 40
    assert small["pagination"]["pageCount"] == 4
    assert [row["InvoiceID"] for row in changed["Invoices"]] == [edited["InvoiceID"]]
    assert "LineItems" not in changed["Invoices"][0]  # a list read without page is a summary


def test_an_idempotency_key_answers_once(xero: XeroHarness) -> None:
    contact = add_contact(xero)
    key = {"Idempotency-Key": "job-5003-deposit"}

    first = xero.api("PUT", "Invoices", json=invoice_body(contact, "5003"), headers=key)
    again = xero.api("PUT", "Invoices", json=invoice_body(contact, "5003"), headers=key)
    other = xero.api("PUT", "Invoices", json=invoice_body(contact, "5004"), headers=key)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert other.status_code == 400
    assert "different request" in other.json()["Message"]
    assert len(xero.roofing.rows("Invoices")) == 1


def test_a_lost_answer_was_still_written(xero: XeroHarness) -> None:
    contact = add_contact(xero)
    xero.fake.faults.lost_writes = 1
    key = {"Idempotency-Key": "job-5003"}

    lost = xero.api("PUT", "Invoices", json=invoice_body(contact, "5003"), headers=key)
    replayed = xero.api("PUT", "Invoices", json=invoice_body(contact, "5003"), headers=key)

    assert lost.status_code == 502
    assert replayed.status_code == 200
    assert len(xero.roofing.rows("Invoices")) == 1


def test_writes_dated_inside_a_lock_date_are_refused(xero: XeroHarness) -> None:
    contact = add_contact(xero)
    xero.roofing.set_lock_dates(period=date(2025, 5, 31), end_of_year=date(2024, 12, 31))

    inside = xero.api("PUT", "Invoices", json=invoice_body(contact, "1", Date="2025-05-31"))
    after = xero.api("PUT", "Invoices", json=invoice_body(contact, "2", Date="2025-06-01"))
    organisation = xero.api("GET", "Organisation").json()["Organisations"][0]

    assert inside.status_code == 400
    message = inside.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert "period lock date 2025-05-31" in message
    assert after.status_code == 200
    assert parse_moment(organisation["PeriodLockDate"]).date() == date(2025, 5, 31)
    assert parse_moment(organisation["EndOfYearLockDate"]).date() == date(2024, 12, 31)


def test_payments_settle_the_invoice_and_deleting_one_reopens_it(xero: XeroHarness) -> None:
    invoice_id = add_invoices(xero, 1)[0]
    pay = {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Date": "2025-06-02"}

    part = xero.api("PUT", "Payments", json=pay | {"Amount": 60}).json()["Payments"][0]
    too_much = xero.api("PUT", "Payments", json=pay | {"Amount": 41})
    xero.api("PUT", "Payments", json=pay | {"Amount": 40})
    paid = xero.api("GET", f"Invoices/{invoice_id}").json()["Invoices"][0]
    void = xero.api("POST", f"Invoices/{invoice_id}", json={"Status": "VOIDED"})
    xero.api("POST", f"Payments/{part['PaymentID']}", json={"Status": "DELETED"})
    reopened = xero.api("GET", f"Invoices/{invoice_id}").json()["Invoices"][0]

    assert too_much.status_code == 400
    assert (paid["Status"], paid["AmountPaid"], paid["AmountDue"]) == ("PAID", 100.0, 0.0)
    assert paid["FullyPaidOnDate"]
    assert void.status_code == 400
    assert (reopened["Status"], reopened["AmountDue"]) == ("AUTHORISED", 60.0)


def test_status_rules_and_a_batch_that_fails_whole(xero: XeroHarness) -> None:
    contact = add_contact(xero)
    draft = xero.api("PUT", "Invoices", json=invoice_body(contact, "1", Status="DRAFT"))
    draft_id = draft.json()["Invoices"][0]["InvoiceID"]

    deleted = xero.api("POST", f"Invoices/{draft_id}", json={"Status": "DELETED"})
    revived = xero.api("POST", f"Invoices/{draft_id}", json={"Status": "AUTHORISED"})
    batch = [invoice_body(contact, "2"), invoice_body(contact, "2")]
    whole = xero.api("PUT", "Invoices", json={"Invoices": batch})
    each = xero.api(
        "PUT", "Invoices", params={"summarizeErrors": "false"}, json={"Invoices": batch}
    )

    assert deleted.json()["Invoices"][0]["Status"] == "DELETED"
    assert revived.status_code == 400
    assert "not of valid status" in revived.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert whole.status_code == 400
    statuses = [row["StatusAttributeString"] for row in each.json()["Invoices"]]
    assert (each.status_code, statuses) == (200, ["OK", "ERROR"])
    assert [row["InvoiceNumber"] for row in xero.roofing.rows("Invoices")] == ["1", "2"]


def test_sales_invoice_numbers_are_unique_among_sales_invoices_only(xero: XeroHarness) -> None:
    """A supplier's bill may carry any number, also one of our sales invoices' (the demo
    company's books have a supplier cheque 1261 beside job 1261's invoice)."""
    contact = add_contact(xero)
    bill = xero.api("PUT", "Invoices", json=invoice_body(contact, "1261", Type="ACCPAY"))
    sale = xero.api("PUT", "Invoices", json=invoice_body(contact, "1261"))
    again = xero.api("PUT", "Invoices", json=invoice_body(contact, "1261"))

    assert (bill.status_code, sale.status_code) == (200, 200)
    assert again.status_code == 400
    assert "Invoice # must be unique." in again.text


def test_the_minute_limit_answers_429_with_retry_after(xero: XeroHarness) -> None:
    answers = [xero.api("GET", "Organisation") for _ in range(61)]

    assert answers[59].headers["X-MinLimit-Remaining"] == "0"
    assert answers[60].status_code == 429
    assert answers[60].headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(answers[60].headers["Retry-After"]) <= 60
    assert xero.api("GET", "Organisation", books=xero.holdings).status_code == 200
    xero.sleep(60)
    assert xero.api("GET", "Organisation").status_code == 200


def test_a_storm_refuses_every_call_until_it_passes(xero: XeroHarness) -> None:
    xero.fake.limits.storm(90)
    stormed = xero.api("GET", "Organisation")
    xero.sleep(90)

    assert stormed.status_code == 429
    assert stormed.headers["Retry-After"] == "90"
    assert xero.api("GET", "Organisation").status_code == 200


def test_a_sixth_call_in_progress_is_refused_without_retry_after(xero: XeroHarness) -> None:
    for _ in range(5):  # five calls of this tenant still in progress
        assert xero.fake.limits.enter(xero.holdings.tenant_id) is None

    crowded = xero.api("GET", "Organisation", books=xero.holdings)
    elsewhere = xero.api("GET", "Organisation")

    assert crowded.status_code == 429
    assert crowded.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert "Retry-After" not in crowded.headers
    assert elsewhere.status_code == 200


def _consent(xero: XeroHarness, tenant_ids: list[str], scope: str) -> dict[str, str]:
    query = {
        "response_type": "code",
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "s1",
    }
    page = httpx.get(f"{xero.url}/identity/connect/authorize", params=query)
    assert page.status_code == 200
    assert xero.holdings.name in page.text
    form: dict[str, Any] = {**query, "tenant": tenant_ids}
    answer = httpx.post(f"{xero.url}/identity/connect/authorize", data=form)
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def _token(xero: XeroHarness, **fields: str) -> httpx.Response:
    auth = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    return httpx.post(f"{xero.url}/connect/token", data=fields, auth=auth)


def test_consent_exchange_rotation_and_its_grace(xero: XeroHarness) -> None:
    back = _consent(xero, [xero.holdings.tenant_id], "offline_access accounting.transactions")
    tokens = _token(
        xero, grant_type="authorization_code", code=back["code"], redirect_uri=REDIRECT
    ).json()
    rotated = _token(xero, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    within_grace = _token(xero, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    xero.clock.advance(timedelta(minutes=31))
    after_grace = _token(xero, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    bearer = {"Authorization": f"Bearer {rotated.json()['access_token']}"}

    assert back["state"] == "s1"
    assert tokens["expires_in"] == 1800
    assert rotated.json()["refresh_token"] != tokens["refresh_token"]
    assert within_grace.json()["refresh_token"] == rotated.json()["refresh_token"]
    assert (after_grace.status_code, after_grace.json()) == (400, {"error": "invalid_grant"})
    assert httpx.get(f"{xero.url}/connections", headers=bearer).status_code == 401  # 31 min
    current = _token(
        xero, grant_type="refresh_token", refresh_token=rotated.json()["refresh_token"]
    )
    listed = httpx.get(
        f"{xero.url}/connections",
        headers={"Authorization": f"Bearer {current.json()['access_token']}"},
    ).json()
    assert [row["tenantId"] for row in listed] == [xero.holdings.tenant_id]


def test_no_refresh_token_without_offline_access(xero: XeroHarness) -> None:
    back = _consent(xero, [xero.roofing.tenant_id], "accounting.transactions")
    tokens = _token(
        xero, grant_type="authorization_code", code=back["code"], redirect_uri=REDIRECT
    ).json()

    assert "refresh_token" not in tokens
    assert tokens["access_token"]


def test_mounted_under_a_prefix(xero: XeroHarness) -> None:
    app = Starlette(routes=[Mount("/sandbox/xero", app=xero.fake.app())])
    token = xero.token()
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": xero.roofing.tenant_id}
    with serving(app) as url:
        answer = httpx.get(f"{url}/sandbox/xero/api.xro/2.0/Organisation", headers=headers)

    assert answer.status_code == 200
    assert answer.json()["Organisations"][0]["Name"] == xero.roofing.name
    assert xero.fake.requests.count(path_contains="/api.xro/2.0/Organisation") == 1


class Receiver:
    """A webhook endpoint that checks the signature as roofops must."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), DEFAULT_WEBHOOK_KEY):
            return Response(status_code=401)
        self.events.extend(parse_events(body))
        return Response(status_code=200)


def test_webhooks_are_signed_and_the_intent_to_receive_passes(xero: XeroHarness) -> None:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hooks/xero", receiver.receive, methods=["POST"])])
    invoice_id = add_invoices(xero, 1)[0]
    pay = {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Amount": 10}
    xero.api("PUT", "Payments", json=pay | {"Date": "2025-06-02"})

    with serving(app) as url:
        passed = xero.fake.webhooks.intent_to_receive(f"{url}/hooks/xero")
        delivered = xero.fake.webhooks.deliver(f"{url}/hooks/xero")
        nothing_left = xero.fake.webhooks.deliver(f"{url}/hooks/xero")

    assert passed
    assert delivered is not None
    assert delivered.status_code == 200
    assert nothing_left is None
    kinds = [(event.category, event.event_type) for event in receiver.events]
    assert kinds == [("CONTACT", "CREATE"), ("INVOICE", "CREATE"), ("INVOICE", "UPDATE")]
    assert receiver.events[-1].resource_id == invoice_id


def test_a_receiver_that_accepts_anything_fails_the_intent_to_receive(xero: XeroHarness) -> None:
    async def careless(_request: Request) -> Response:
        return Response(status_code=200)

    app = Starlette(routes=[Route("/hooks", careless, methods=["POST"])])
    with serving(app) as url:
        assert not xero.fake.webhooks.intent_to_receive(f"{url}/hooks")
