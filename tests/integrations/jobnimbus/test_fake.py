"""The fake's own behaviour: query language, writes, auth, faults and the request log."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore
from roofops.sandbox.jobnimbus.query import FilterError, ListQuery, parse_filter
from tests.integrations.jobnimbus.conftest import API_KEY, Clock, FakeJobNimbus

AUTH = {"Authorization": f"Bearer {API_KEY}"}
RECORD = {"jnid": "a1", "date_updated": 100, "status_name": "Lead", "primary": {"id": "c9"}}


def call(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return http.request(method, path, headers=AUTH, **kwargs)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"must": [{"range": {"date_updated": {"gte": 100, "lt": 101}}}]}, True),
        ({"must": [{"range": {"date_updated": {"gt": 100}}}]}, False),
        ({"must": {"term": {"status_name": "Lead"}}}, True),
        ({"must": [{"term": {"primary.id": {"value": "c9"}}}]}, True),
        ({"must": [{"terms": {"status_name": ["Lost", "Cancelled"]}}]}, False),
        ({"must_not": [{"term": {"status_name": "Lead"}}]}, False),
        ({"should": [{"term": {"jnid": "zz"}}, {"term": {"jnid": "a1"}}]}, True),
        ({"should": [{"term": {"jnid": "zz"}}]}, False),
        # With a must clause, should is optional, as in Elasticsearch.
        ({"must": [{"term": {"jnid": "a1"}}], "should": [{"term": {"jnid": "zz"}}]}, True),
        ({"bool": {"must": [{"bool": {"should": [{"term": {"jnid": "a1"}}]}}]}}, True),
        ({"must": [{"range": {"status_name": {"gte": 0}}}]}, False),
        ({"must": [{"term": {"date_updated": True}}]}, False),
    ],
)
def test_filter_subset(spec: dict[str, Any], expected: bool) -> None:
    assert parse_filter(json.dumps(spec))(RECORD) is expected


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"must": [{"match": {"name": "x"}}]}',
        '{"must": [{"range": {"date_updated": {"gte": "yesterday"}}}]}',
        '{"query": {}}',
        '{"must": [{"terms": {"jnid": "a1"}}]}',
    ],
)
def test_bad_filters_are_refused(text: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(text)


def test_list_parameters_have_the_documented_defaults() -> None:
    query = ListQuery.from_params({})
    assert (query.size, query.from_, query.sort_field, query.descending) == (
        1000,
        0,
        "date_created",
        True,
    )


def test_bad_list_parameters_answer_400(raw_http: httpx.Client, fake: FakeJobNimbus) -> None:
    for params in ({"filter": "{oops"}, {"size": "ten"}, {"from": "-1"}):
        response = call(raw_http, "GET", "jobs", params=params)
        assert response.status_code == 400
        assert response.json()["error"]


def test_missing_or_wrong_key_is_401_with_a_message(
    raw_http: httpx.Client, fake: FakeJobNimbus
) -> None:
    assert raw_http.get("jobs").status_code == 401
    wrong = raw_http.get("jobs", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    assert "API key" in wrong.json()["error"]
    # The Postman examples spell the scheme in lower case.
    lower = raw_http.get("jobs?size=1", headers={"Authorization": f"bearer {API_KEY}"})
    assert lower.status_code == 200


def test_create_and_update_a_job_log_status_changes(
    raw_http: httpx.Client, fake: FakeJobNimbus, clock: Clock
) -> None:
    store = fake.use(FakeJobNimbusStore(clock=clock))
    body = {"name": "Smith reroof", "record_type_name": "Residential", "status_name": "Lead"}

    created = call(raw_http, "POST", "jobs", json=body).json()
    clock.advance(60)
    updated = call(
        raw_http, "PUT", f"jobs/{created['jnid']}", json={"status_name": "Estimate Sent"}
    )

    assert created["number"] == "1001"
    assert created["record_type"] == 1
    assert updated.json()["status_name"] == "Estimate Sent"
    assert updated.json()["date_updated"] == created["date_updated"] + 60
    notes = [a["note"] for a in store.records("activities")]
    assert notes == ["Status set to Lead", "Status changed from Lead to Estimate Sent"]


def test_invalid_writes_answer_400_or_404(raw_http: httpx.Client, fake: FakeJobNimbus) -> None:
    fake.use(FakeJobNimbusStore())
    job = {"name": "X", "record_type_name": "Residential", "status_name": "Signed"}
    assert call(raw_http, "POST", "jobs", json=job).status_code == 400
    assert call(raw_http, "POST", "jobs", json={"name": "X"}).status_code == 400
    assert call(raw_http, "POST", "jobs", content=b"[1]").status_code == 400
    assert call(raw_http, "PUT", "jobs/none", json={}).status_code == 404
    assert call(raw_http, "GET", "invoices").status_code == 404


def test_an_added_status_is_usable_and_listed(clock: Clock) -> None:
    store = FakeJobNimbusStore(clock=clock)
    job = store.create(
        "jobs", {"name": "J", "record_type_name": "Residential", "status_name": "Lead"}
    )

    status_id = store.add_status("Residential", "Roof Loaded")
    store.change_status(job["jnid"], "Roof Loaded")

    assert store.get("jobs", job["jnid"])["status"] == status_id
    residential = next(w for w in store.account_settings()["workflows"] if w["id"] == 1)
    added = residential["status"][-1]
    assert (added["id"], added["name"]) == (status_id, "Roof Loaded")


def test_store_archive_and_deactivate_bump_date_updated(clock: Clock) -> None:
    store = FakeJobNimbusStore(clock=clock)
    contact = store.add("contacts", {"display_name": "Ann Lee"})
    clock.advance(10)

    archived = store.archive("contacts", contact["jnid"])
    inactive = store.deactivate("contacts", contact["jnid"])

    assert archived["is_archived"] is True
    assert inactive["is_active"] is False
    assert inactive["date_updated"] == contact["date_updated"] + 10


def test_change_status_refuses_a_status_outside_the_workflow(clock: Clock) -> None:
    store = FakeJobNimbusStore(clock=clock)
    job = store.create("jobs", {"name": "J", "record_type_name": "Repair", "status_name": "Lead"})
    with pytest.raises(ValueError, match="Claim Filed"):
        store.change_status(job["jnid"], "Claim Filed")


def test_request_log_records_method_path_query_and_status(
    raw_http: httpx.Client, fake: FakeJobNimbus
) -> None:
    call(raw_http, "GET", "contacts", params={"size": "2", "from": "4"})
    raw_http.get("tasks")

    first, second = fake.requests.entries
    assert (first.method, first.path, first.query, first.status) == (
        "GET",
        "/api1/contacts",
        {"size": "2", "from": "4"},
        200,
    )
    assert second.status == 401
    assert fake.requests.count == 2


def test_latency_is_added_to_every_request(raw_http: httpx.Client, fake: FakeJobNimbus) -> None:
    fake.faults.latency = 0.1
    started = time.perf_counter()
    call(raw_http, "GET", "account/settings")
    assert time.perf_counter() - started >= 0.1


def test_server_error_burst_then_recovery(raw_http: httpx.Client, fake: FakeJobNimbus) -> None:
    fake.faults.server_errors = 1
    assert call(raw_http, "GET", "jobs", params={"size": 1}).status_code == 503
    assert call(raw_http, "GET", "jobs", params={"size": 1}).status_code == 200


def test_rate_limited_answers_carry_retry_after(
    raw_http: httpx.Client, fake: FakeJobNimbus
) -> None:
    fake.faults.rate_limited = 1
    fake.faults.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"
    response = call(raw_http, "GET", "jobs")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_sort_direction_and_fields_projection(raw_http: httpx.Client, fake: FakeJobNimbus) -> None:
    params = {"size": 3, "sort_field": "number", "sort_direction": "desc", "fields": "number"}
    body = call(raw_http, "GET", "jobs", params=params).json()

    numbers = [record["number"] for record in body["results"]]
    assert numbers == sorted(numbers, reverse=True)
    assert all(set(record) == {"number"} for record in body["results"])
