"""The fake's own behaviour where the client does not exercise it: query language, writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from roofops.integrations.quickbooks.schemas import Bill, Customer, Invoice
from roofops.sandbox.quickbooks.errors import FakeFault
from roofops.sandbox.quickbooks.query import parse_query, select
from roofops.sandbox.quickbooks.store import Books, FakeClock
from tests.integrations.quickbooks.conftest import REALM, START, Harness, add_invoices


def _api(qbo: Harness, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {qbo.token()}", **kwargs.pop("headers", {})}
    return httpx.request(method, f"{qbo.url}/v3/company/{REALM}/{path}", headers=headers, **kwargs)


def _rows() -> list[dict[str, Any]]:
    books = Books(FakeClock(START))
    add_invoices(books, 5)
    books.replace("Invoice", books.rows("Invoice")[1]["Id"], {"PrivateNote": "O'Brien job"})
    return books.rows("Invoice")


@pytest.mark.parametrize(
    ("statement", "doc_numbers"),
    [
        ("SELECT * FROM Invoice WHERE DocNumber IN ('1001', '1003')", ["1001", "1003"]),
        ("select * from Invoice where TotalAmt >= '103' orderby TotalAmt desc", ["1004", "1003"]),
        ("SELECT * FROM Invoice WHERE PrivateNote LIKE 'o\\'brien%'", ["1001"]),
        ("SELECT * FROM Invoice WHERE CustomerRef = '1' AND TotalAmt < '101'", ["1000"]),
        (
            "SELECT * FROM Invoice ORDERBY DocNumber DESC STARTPOSITION 2 MAXRESULTS 2",
            ["1003", "1002"],
        ),
    ],
)
def test_query_language(statement: str, doc_numbers: list[str]) -> None:
    query = parse_query(statement)
    first = query.start - 1
    found = select(_rows(), query)[first : first + query.max_results]

    assert [row["DocNumber"] for row in found] == doc_numbers


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'",
        "SELECT * FROM invoice",
        "SELECT Id FROM Invoice",
        "SELECT * FROM Invoice WHERE TotalAmt != '1'",
        "SELECT * FROM Invoice MAXRESULTS many",
    ],
)
def test_unsupported_statements_fail_like_quickbooks(statement: str) -> None:
    with pytest.raises(FakeFault) as fault:
        parse_query(statement)

    assert fault.value.code == "4000"


def test_maxresults_is_capped_at_1000() -> None:
    assert parse_query("SELECT * FROM Item MAXRESULTS 5000").max_results == 1000
    assert parse_query("SELECT * FROM Item").max_results == 100


def test_query_by_post_and_the_empty_answer(qbo: Harness) -> None:
    answer = _api(
        qbo,
        "POST",
        "query",
        content=b"SELECT * FROM Bill",
        headers={"Content-Type": "application/text"},
    )

    assert answer.status_code == 200
    assert answer.json()["QueryResponse"] == {}


def test_unknown_invoice_fields_are_refused(qbo: Harness) -> None:
    (invoice_id,) = add_invoices(qbo.books, 1)
    body = {"Id": invoice_id, "SyncToken": "0", "sparse": True, "Colour": "red"}

    answer = _api(qbo, "POST", "invoice", json=body)

    assert answer.status_code == 400
    assert answer.json()["Fault"]["Error"][0]["code"] == "2010"


def test_a_full_update_clears_what_it_leaves_out(qbo: Harness) -> None:
    (invoice_id,) = add_invoices(qbo.books, 1)
    current = qbo.books.get("Invoice", invoice_id) or {}
    qbo.books.replace("Invoice", invoice_id, {"PrivateNote": "keep?"})
    body = {
        "Id": invoice_id,
        "SyncToken": "1",
        "CustomerRef": current["CustomerRef"],
        "Line": [{"Amount": 50, "DetailType": "SalesItemLineDetail"}],
    }

    answer = _api(qbo, "POST", "invoice", json=body).json()["Invoice"]

    assert "PrivateNote" not in answer
    assert "DocNumber" not in answer
    assert (answer["TotalAmt"], answer["SyncToken"]) == (50, "2")


def test_payments_settle_invoices_and_block_voiding(qbo: Harness) -> None:
    (invoice_id,) = add_invoices(qbo.books, 1)
    invoice = qbo.books.get("Invoice", invoice_id) or {}
    payment = {
        "CustomerRef": invoice["CustomerRef"],
        "TotalAmt": Decimal("60.00"),
        "Line": [
            {"Amount": Decimal("60.00"), "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}
        ],
    }
    qbo.books.add("Payment", payment)

    settled = qbo.books.get("Invoice", invoice_id) or {}
    assert settled["Balance"] == Decimal("40.00")
    assert settled["LinkedTxn"][0]["TxnType"] == "Payment"
    answer = _api(
        qbo,
        "POST",
        "invoice",
        params={"operation": "void"},
        json={"Id": invoice_id, "SyncToken": settled["SyncToken"]},
    )
    assert answer.status_code == 400
    assert answer.json()["Fault"]["Error"][0]["code"] == "6000"


def test_a_token_only_opens_its_own_realm(qbo: Harness) -> None:
    qbo.fake.add_company("123456789")

    answer = httpx.get(
        f"{qbo.url}/v3/company/123456789/query",
        params={"query": "SELECT * FROM Invoice"},
        headers={"Authorization": f"Bearer {qbo.token()}"},
    )

    assert answer.status_code == 401


def test_batches_have_their_own_rate_limit(qbo: Harness) -> None:
    qbo.fake.limits.per_second = 1000
    qbo.fake.limits.batches_per_minute = 2
    body = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT COUNT(*) FROM Item"}]}

    statuses = [_api(qbo, "POST", "batch", json=body).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_the_fake_works_mounted_under_a_prefix(qbo: Harness) -> None:
    add_invoices(qbo.books, 2)
    host = FastAPI()
    host.mount("/sandbox/quickbooks", qbo.fake.app())
    qbo.server.app = host

    with qbo.client(base_url=f"{qbo.url}/sandbox/quickbooks") as client:
        assert client.count(Invoice) == 2
    anonymous = httpx.get(f"{qbo.url}/sandbox/quickbooks/v3/company/{REALM}/invoice/3")

    assert anonymous.status_code == 401
    assert all(entry.path.startswith("/v3/company/") for entry in qbo.fake.requests.entries())


def _ids(qbo: Harness, statement: str) -> list[str]:
    answer = _api(qbo, "GET", "query", params={"query": statement}).json()["QueryResponse"]
    entity = statement.split(" FROM ")[1].split(maxsplit=1)[0]
    return [row["Id"] for row in answer.get(entity, [])]


def test_name_lists_answer_only_active_records_unless_the_query_names_active(
    qbo: Harness,
) -> None:
    parent = qbo.books.add("Customer", {"DisplayName": "Pat Smith"})
    finished = qbo.books.add("Customer", {"DisplayName": "1042 Pat Smith - Re-roof", "Job": True})
    qbo.books.replace("Customer", finished["Id"], {"Active": False})
    both = sorted([parent["Id"], finished["Id"]])

    assert _ids(qbo, "SELECT * FROM Customer") == [parent["Id"]]
    assert _ids(qbo, "SELECT * FROM Customer WHERE DisplayName LIKE '1042%'") == []
    assert _ids(qbo, "SELECT * FROM Customer WHERE Active = false") == [finished["Id"]]
    assert sorted(_ids(qbo, "SELECT * FROM Customer WHERE Active IN (true, false)")) == both
    count = _api(qbo, "GET", "query", params={"query": "SELECT COUNT(*) FROM Customer"})
    assert count.json()["QueryResponse"] == {"totalCount": 1}
    read = _api(qbo, "GET", f"customer/{finished['Id']}").json()["Customer"]
    assert read["Active"] is False  # read by Id, an inactive record is still there
    with qbo.client() as client:  # our client reads whole name lists
        assert sorted(c.id for c in client.query(Customer).entities) == both
        assert client.count(Customer) == 2


def test_transactions_have_no_active_flag(qbo: Harness) -> None:
    (invoice_id,) = add_invoices(qbo.books, 1)

    assert _ids(qbo, "SELECT * FROM Invoice") == [invoice_id]
    assert "Active" not in (qbo.books.get("Invoice", invoice_id) or {})


def _a_bill(qbo: Harness) -> dict[str, Any]:
    vendor = qbo.books.add("Vendor", {"DisplayName": "ABC Supply Co."})
    account = qbo.books.add("Account", {"Name": "Materials", "AccountType": "Cost of Goods Sold"})
    line = {
        "Amount": Decimal("120.00"),
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account["Id"]}},
    }
    return qbo.books.add("Bill", {"VendorRef": {"value": vendor["Id"]}, "Line": [line]})


def test_a_deleted_bill_leaves_queries_and_shows_in_cdc_as_a_stub(qbo: Harness) -> None:
    bill = _a_bill(qbo)
    qbo.clock.advance(60)

    stale = _api(
        qbo,
        "POST",
        "bill",
        params={"operation": "delete"},
        json={"Id": bill["Id"], "SyncToken": "7"},
    )
    deleted = _api(
        qbo,
        "POST",
        "bill",
        params={"operation": "delete"},
        json={"Id": bill["Id"], "SyncToken": "0"},
    )

    assert stale.status_code == 400
    assert stale.json()["Fault"]["Error"][0]["code"] == "5010"
    assert deleted.status_code == 200
    assert deleted.json()["Bill"]["status"] == "Deleted"
    assert _ids(qbo, "SELECT * FROM Bill") == []
    assert _api(qbo, "GET", f"bill/{bill['Id']}").status_code == 400
    with qbo.client() as client:
        answer = client.cdc([Bill], START)
    assert [stub.id for stub in answer.deleted["Bill"]] == [bill["Id"]]
    assert answer.changed.get("Bill", []) == []


def test_name_lists_cannot_be_deleted(qbo: Harness) -> None:
    customer = qbo.books.add("Customer", {"DisplayName": "Pat Smith"})
    body = {"Id": customer["Id"], "SyncToken": "0"}

    refused = _api(qbo, "POST", "customer", params={"operation": "delete"}, json=body)

    assert refused.status_code == 400
    assert refused.json()["Fault"]["Error"][0]["code"] == "500"
    assert _ids(qbo, "SELECT * FROM Customer") == [customer["Id"]]
