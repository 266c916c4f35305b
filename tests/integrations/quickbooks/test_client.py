"""The QuickBooks client against the fake over real HTTP."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from roofops.integrations.quickbooks.client import (
    SYNC_RETRY,
    THROTTLE_WINDOW,
    BatchItem,
    BatchQuery,
    BatchWrite,
    FaultError,
    ObjectNotFound,
    QuickBooksAuthError,
    QuickBooksClient,
    QuickBooksFault,
    StaleObjectError,
    fault_error,
    parse_fault,
    quote,
)
from roofops.integrations.quickbooks.schemas import (
    Customer,
    Invoice,
    InvoiceDraft,
    InvoiceLineDraft,
    InvoicePatch,
    Payment,
)
from roofops.kit.http import VendorRateLimited
from roofops.sandbox.quickbooks import errors
from tests.integrations.quickbooks.conftest import REALM, START, Harness, add_invoices


def _draft(qbo: Harness, amount: str = "12500.00") -> InvoiceDraft:
    customer = qbo.books.add("Customer", {"DisplayName": "Dana Whitfield"})
    item = qbo.books.add("Item", {"Name": "Roof Replacement", "Type": "Service"})
    line = InvoiceLineDraft(amount=Decimal(amount), item_id=item["Id"], description="Re-roof 32 sq")
    return InvoiceDraft(customer_id=customer["Id"], doc_number="1042", lines=[line])


def test_query_pages_until_a_short_page(qbo: Harness) -> None:
    add_invoices(qbo.books, 2345)

    with qbo.client() as client:
        result = client.query(Invoice)

    assert len(result.entities) == 2345
    assert result.malformed == []
    assert qbo.fake.requests.count(path_contains="/query") == 3
    queries = [entry.query for entry in qbo.fake.requests.entries()]
    assert all(query["minorversion"] == "75" for query in queries)
    assert "STARTPOSITION 2001 MAXRESULTS 1000" in queries[-1]["query"]
    assert [invoice.doc_number for invoice in result.entities[:2]] == ["1000", "1001"]


def test_a_full_last_page_ends_on_the_empty_answer(qbo: Harness) -> None:
    add_invoices(qbo.books, 1000)

    with qbo.client() as client:
        pages = list(client.query_pages(Invoice))

    assert [page.rows for page in pages] == [1000, 0]


def test_last_updated_filter_and_count(qbo: Harness) -> None:
    add_invoices(qbo.books, 3, at=START - timedelta(days=2))
    recent = add_invoices(qbo.books, 2, at=START - timedelta(hours=1))

    with qbo.client() as client:
        changed = client.query(Invoice, since=START - timedelta(days=1))
        total = client.count(Invoice)
        matching = client.count(Invoice, f"DocNumber IN ('1000', '1001') AND Id > {quote('0')}")

    assert [invoice.id for invoice in changed.entities] == recent
    assert total == 5
    assert matching == 4


def test_cdc_returns_changes_deletions_and_voids(qbo: Harness) -> None:
    first, second, third = add_invoices(qbo.books, 3, at=START - timedelta(days=3))
    since = START - timedelta(hours=1)
    qbo.books.void_invoice(first)
    qbo.books.delete("Invoice", second)
    qbo.books.replace("Invoice", third, {"PrivateNote": "revised"})

    with qbo.client() as client:
        result = client.cdc([Invoice, Payment], since)

    changed = {invoice.id: invoice for invoice in result.of(Invoice)}
    assert set(changed) == {first, third}
    assert changed[first].is_voided
    assert changed[first].total_amt == 0
    assert not changed[third].is_voided
    assert [stub.id for stub in result.deleted["Invoice"]] == [second]
    assert not result.saturated


def test_cdc_saturation_and_thirty_day_guard(qbo: Harness) -> None:
    add_invoices(qbo.books, 8)
    qbo.fake.cdc_limit = 5

    with qbo.client() as client:
        result = client.cdc([Invoice, Customer], START - timedelta(days=1), cap=5)
        with pytest.raises(QuickBooksFault) as too_old:
            client.cdc([Invoice], START - timedelta(days=31))

    assert sum(len(rows) for rows in result.changed.values()) == 5
    assert result.saturated
    assert too_old.value.status == 400


def test_stale_sync_token_raises_5010(qbo: Harness) -> None:
    (invoice_id,) = add_invoices(qbo.books, 1)

    with qbo.client() as client:
        invoice = client.get(Invoice, invoice_id)
        patch = InvoicePatch(private_note="first edit")
        updated = client.update_invoice(invoice.id, invoice.sync_token, patch, request_id="edit-1")
        with pytest.raises(StaleObjectError) as stale:
            client.update_invoice(invoice.id, invoice.sync_token, patch, request_id="edit-2")

    assert updated.sync_token == "1"
    assert updated.private_note == "first edit"
    assert stale.value.fault_code == "5010"
    assert stale.value.fault_message == "Stale Object Error"


def test_requestid_replays_the_first_answer(qbo: Harness) -> None:
    draft = _draft(qbo)

    with qbo.client() as client:
        first = client.create_invoice(draft, request_id="inv:1042:r1")
        again = client.create_invoice(draft, request_id="inv:1042:r1")

    assert again.id == first.id
    assert first.total_amt == Decimal("12500.00")
    assert qbo.books.count("Invoice") == 1


def test_a_lost_answer_is_retried_and_replayed(qbo: Harness) -> None:
    draft = _draft(qbo)
    qbo.fake.faults.lost_writes = 1

    with qbo.client() as client:
        invoice = client.create_invoice(draft, request_id="inv:1042:r2")

    assert qbo.books.count("Invoice") == 1
    assert qbo.books.get("Invoice", invoice.id) is not None
    assert qbo.fake.requests.count(method="POST", path_contains="/invoice") == 2
    assert len(qbo.sleep.delays) == 1


@pytest.mark.parametrize("body_format", ["xml", "json"])
def test_throttled_requests_back_off_with_jitter_up_to_the_minute(
    qbo: Harness, body_format: str
) -> None:
    add_invoices(qbo.books, 2)
    qbo.fake.faults.throttle = 3
    qbo.fake.faults.throttle_format = body_format  # type: ignore[assignment]

    with qbo.client(rng=random.Random(5)) as client:
        result = client.query(Invoice)

    assert len(result.entities) == 2
    assert len(qbo.sleep.delays) == 3
    assert len(set(qbo.sleep.delays)) == 3  # jittered: many workers do not retry in step
    assert all(0 <= delay <= THROTTLE_WINDOW for delay in qbo.sleep.delays)


def test_server_errors_are_retried_with_backoff(qbo: Harness) -> None:
    add_invoices(qbo.books, 1)
    qbo.fake.faults.server_errors = 2

    with qbo.client() as client:
        assert client.count(Invoice) == 1

    assert len(qbo.sleep.delays) == 2
    assert all(0 <= delay <= 1.0 for delay in qbo.sleep.delays)  # 0.5 s, then 1 s ceilings


def test_throttling_that_never_ends_gives_up_when_the_budget_is_spent(qbo: Harness) -> None:
    qbo.fake.throttle.storm(3600)

    with (
        qbo.client(clock=qbo.sleep.monotonic) as client,
        pytest.raises(VendorRateLimited) as caught,
    ):
        client.count(Invoice)

    waited = sum(qbo.sleep.delays)
    assert waited <= SYNC_RETRY.give_up_after
    # It stopped only because the next wait (at most the minute) would have ended past it.
    assert waited > SYNC_RETRY.give_up_after - THROTTLE_WINDOW
    assert qbo.fake.requests.count() == len(qbo.sleep.delays) + 1 > 5
    assert caught.value.retry_after is None  # QuickBooks gave no hint
    assert caught.value.message.startswith("quickbooks answered HTTP 429; gave up after ")


def test_the_realm_rate_limit_answers_429(qbo: Harness) -> None:
    qbo.fake.limits.per_second = 3
    add_invoices(qbo.books, 1)

    with qbo.client() as client:
        counts = [client.count(Invoice) for _ in range(5)]

    assert counts == [1] * 5
    assert qbo.sleep.delays  # waited until the second's window had room again
    assert all(delay <= THROTTLE_WINDOW for delay in qbo.sleep.delays)
    assert any(entry.status == 429 for entry in qbo.fake.requests.entries())


def test_a_slow_answer_times_out_and_is_retried(qbo: Harness) -> None:
    qbo.fake.faults.slow = 1
    qbo.fake.faults.slow_seconds = 1.0

    with qbo.client(timeout=0.3) as client:
        assert client.count(Invoice) == 0

    assert len(qbo.sleep.delays) == 1


def test_a_401_refreshes_the_token_once_and_retries(qbo: Harness) -> None:
    expired = qbo.token()
    qbo.clock.advance(timedelta(hours=1, seconds=1))
    rejected: list[str] = []

    def fresh_token(old: str) -> str:
        rejected.append(old)
        return qbo.token()

    with qbo.client(expired, on_token_rejected=fresh_token) as client:
        assert client.count(Invoice) == 0

    assert rejected == [expired]
    assert [entry.status for entry in qbo.fake.requests.entries()] == [401, 200]


def test_a_second_401_is_raised(qbo: Harness) -> None:
    with (
        qbo.client("not-a-token", on_token_rejected=lambda _old: "still-bad") as client,
        pytest.raises(QuickBooksAuthError) as failure,
    ):
        client.count(Invoice)

    assert failure.value.status == 401
    assert failure.value.errors[0].code == "3200"


def test_a_malformed_entity_is_reported_not_fatal(qbo: Harness) -> None:
    good = add_invoices(qbo.books, 2)
    broken = qbo.books.add("Invoice", {"DocNumber": "9999", "Line": [], "TxnDate": "soon"})

    with qbo.client() as client:
        result = client.query(Invoice)

    assert [invoice.id for invoice in result.entities] == good
    assert [(bad.entity, bad.id) for bad in result.malformed] == [("Invoice", broken["Id"])]
    assert "CustomerRef" in result.malformed[0].error


def test_reading_a_missing_entity_raises_610(qbo: Harness) -> None:
    with qbo.client() as client, pytest.raises(ObjectNotFound) as missing:
        client.get(Invoice, "424242")

    assert missing.value.fault_code == "610"


def test_batch_answers_each_item(qbo: Harness) -> None:
    draft = _draft(qbo, "900.00").to_qbo()
    items: list[BatchItem] = [
        BatchWrite("c1", "create", "Invoice", draft),
        BatchWrite("c2", "create", "Invoice", {**draft, "CustomerRef": {"value": "404"}}),
        BatchQuery("q1", "SELECT COUNT(*) FROM Invoice"),
    ]

    with qbo.client() as client:
        results = client.batch(items, request_id="batch-1")

    created, refused, counted = results
    assert created.entity is not None
    assert created.entity["TotalAmt"] == Decimal("900.0")
    assert refused.fault is not None
    assert refused.fault.fault_code == "2500"
    assert counted.query_response == {"totalCount": 1}


def test_batch_limits_are_checked_before_sending(qbo: Harness) -> None:
    with qbo.client() as client:
        with pytest.raises(ValueError, match="1 to 30"):
            client.batch([BatchQuery(str(n), "SELECT * FROM Item") for n in range(31)])
        with pytest.raises(ValueError, match="bId"):
            client.batch([BatchQuery("much-too-long", "x")], request_id="r")

    assert qbo.fake.requests.count() == 0


def test_fault_bodies_of_every_shape_parse() -> None:
    xml = errors.throttle_xml()
    lowercase = json.dumps(errors.unauthorized_body(0))
    enveloped = json.dumps({"Fault": errors.stale_object("Invoice", "7").fault()})

    assert parse_fault(xml) == (
        "SERVICE",
        [FaultError("3001", errors.THROTTLE_MESSAGE, errors.THROTTLE_DETAIL)],
    )
    assert isinstance(fault_error(401, lowercase), QuickBooksAuthError)
    assert isinstance(fault_error(400, enveloped), StaleObjectError)
    assert parse_fault("<html>proxy error</html>") is None
    assert parse_fault("upstream timed out") is None


def test_a_fault_inside_http_200_is_raised(qbo: Harness) -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"Fault": errors.business_rule("closed period").fault()})

    client = QuickBooksClient(REALM, lambda: "t", transport=httpx.MockTransport(answer))

    with client, pytest.raises(QuickBooksFault) as fault:
        client.count(Invoice)

    assert fault.value.fault_code == "6000"
