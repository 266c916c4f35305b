"""JobNimbusClient against the fake over real HTTP on a local port."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from roofops.exceptions import ConfigurationError
from roofops.integrations.jobnimbus.client import (
    ACTIVITIES,
    CONTACTS,
    JOBS,
    TASKS,
    JobNimbusClient,
    polite_limiter,
)
from roofops.integrations.jobnimbus.schemas import StatusChange
from roofops.integrations.jobnimbus.status_map import STOCK_WORKFLOWS
from roofops.kit.http import (
    RetryPolicy,
    VendorAuthError,
    VendorRateLimited,
    VendorRequestError,
    VendorUnavailable,
)
from roofops.models.enums import JobStage
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore
from tests.integrations.jobnimbus.conftest import (
    API_KEY,
    DEMO_JOBS,
    Clock,
    FakeJobNimbus,
    RecordingSleep,
)
from tests.integrations.jobnimbus.syncing import stage_for


def test_iter_jobs_pages_with_from_until_count(
    client: JobNimbusClient, fake: FakeJobNimbus
) -> None:
    pages = list(client.iter_pages(JOBS, None, 1000, None, None))

    assert [page.from_ for page in pages] == [0, 1000, 2000, 3000, 4000]
    assert all(page.count == DEMO_JOBS for page in pages)
    jobs = [job for page in pages for job in page.results]
    assert len({job.jnid for job in jobs}) == DEMO_JOBS
    # Creation order: an edit cannot move a record while the list is paged.
    assert [job.date_created for job in jobs] == sorted(job.date_created for job in jobs)
    sent = fake.requests.entries[0].query
    assert (sent["sort_field"], sent["sort_direction"]) == ("date_created", "asc")


def test_one_page_reports_the_total_count(client: JobNimbusClient) -> None:
    page = client.page(CONTACTS, size=25, from_=50)

    assert page.count > 1000
    assert len(page.results) == 25
    assert page.rejects == []


def test_incremental_filter_returns_only_changed_records(
    make_client: Callable[..., JobNimbusClient], fake: FakeJobNimbus, clock: Clock
) -> None:
    store = fake.use(FakeJobNimbusStore(clock=clock))
    jobs = [_new_job(store, f"Job {n}") for n in range(5)]
    cursor = clock.advance(3600)
    store.change_status(jobs[1]["jnid"], "Appointment Scheduled")
    store.update("jobs", jobs[3]["jnid"], {"description": "Added skylight"})

    changed = make_client().page(JOBS, updated_since=cursor)

    assert sorted(job.jnid for job in changed.results) == sorted([jobs[1]["jnid"], jobs[3]["jnid"]])
    assert changed.count == 2
    sent = fake.requests.entries[-1].query["filter"]
    assert (
        sent == f'{{"must":[{{"range":{{"date_updated":{{"gte":{int(cursor.timestamp())}}}}}}}]}}'
    )


def test_status_changes_come_from_activities(
    make_client: Callable[..., JobNimbusClient], fake: FakeJobNimbus, clock: Clock
) -> None:
    store = fake.use(FakeJobNimbusStore(clock=clock))
    job = _new_job(store, "Hail claim")
    cursor = clock.advance(60)
    moved_at = clock.advance(60)
    store.change_status(job["jnid"], "Appointment Scheduled")
    client = make_client()
    names = client.account_settings().status_names()

    page = client.page(ACTIVITIES, updated_since=cursor)

    assert [a.status_change(names) for a in page.results] == [
        StatusChange(job["jnid"], "Lead", "Appointment Scheduled", moved_at)
    ]


def test_demo_history_reads_back_as_stage_changes(client: JobNimbusClient) -> None:
    job = client.page(JOBS, size=1, terms={"status_name": "Paid & Closed"}).results[0]
    names = client.account_settings().status_names()

    page = client.page(ACTIVITIES, terms={"primary.id": job.jnid})
    changes = sorted(
        (c for a in page.results if (c := a.status_change(names))), key=lambda c: c.occurred_at
    )

    assert changes[0].from_status is None
    assert stage_for(changes[0].to_status) == JobStage.LEAD
    assert stage_for(changes[-1].to_status) == JobStage.PAID
    assert changes[-1].occurred_at == job.date_status_change
    assert all(c.job_jnid == job.jnid for c in changes)


def test_activities_are_listed_under_the_activity_key(
    client: JobNimbusClient, raw_http: httpx.Client
) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    raw = raw_http.get("activities", params={"size": 3}, headers=auth).json()
    page = client.page(ACTIVITIES, size=3)

    assert set(raw) == {"count", "activity"}
    assert len(page.results) == 3
    assert page.count == raw["count"]


def test_bad_key_raises_auth_error_without_retrying(
    make_client: Callable[..., JobNimbusClient], sleep: RecordingSleep
) -> None:
    client = make_client(api_key="not-the-key")

    with pytest.raises(VendorAuthError) as caught:
        client.page(JOBS, size=1)

    assert caught.value.status == 401
    assert "invalid API key" in caught.value.body
    assert client.requests_sent == 1
    assert sleep.delays == []


def test_rate_limit_burst_is_survived_honouring_retry_after(
    client: JobNimbusClient, fake: FakeJobNimbus, sleep: RecordingSleep
) -> None:
    fake.faults.rate_limited = 3
    fake.faults.retry_after = "2"

    page = client.page(JOBS, size=10)

    assert len(page.results) == 10
    assert sleep.delays == [2.0, 2.0, 2.0]
    assert client.requests_sent == 4
    assert [r.status for r in fake.requests.entries] == [429, 429, 429, 200]


def test_endless_rate_limit_gives_up(
    make_client: Callable[..., JobNimbusClient], fake: FakeJobNimbus
) -> None:
    fake.faults.rate_limited = 10
    client = make_client(retry=RetryPolicy(attempts=3))

    with pytest.raises(VendorRateLimited) as caught:
        client.page(JOBS, size=1)

    assert caught.value.retry_after == 1.0
    assert client.requests_sent == 3


def test_server_errors_are_survived_with_backoff(
    client: JobNimbusClient, fake: FakeJobNimbus, sleep: RecordingSleep
) -> None:
    fake.faults.server_errors = 2

    assert client.get_contact(client.page(CONTACTS, size=1).results[0].jnid).jnid
    assert len(sleep.delays) == 2
    assert all(0 <= delay <= 1.0 for delay in sleep.delays)  # 0.5 s, then 1 s ceilings


def test_persistent_server_errors_raise_unavailable(
    make_client: Callable[..., JobNimbusClient], fake: FakeJobNimbus
) -> None:
    fake.faults.server_errors = 5
    fake.faults.server_error_status = 502

    with pytest.raises(VendorUnavailable) as caught:
        make_client(retry=RetryPolicy(attempts=2)).account_settings()

    assert caught.value.status == 502


def test_malformed_records_are_rejected_and_the_rest_returned(
    client: JobNimbusClient, fake: FakeJobNimbus
) -> None:
    first = client.page(JOBS, size=10, from_=100)
    bad_date, no_id = first.results[2].jnid, first.results[5].jnid
    fake.faults.break_record("jobs", bad_date, "string_date")
    fake.faults.break_record("jobs", no_id, "missing_jnid")

    page = client.page(JOBS, size=10, from_=100)

    assert [job.jnid for job in page.results] == [
        job.jnid for job in first.results if job.jnid not in (bad_date, no_id)
    ]
    assert [reject.record for reject in page.rejects] == [bad_date, 105]
    assert "date_updated" in page.rejects[0].error
    assert "last tuesday" not in page.rejects[0].error  # values stay out of reports
    assert page.rejects[1].error.startswith("jnid: Field required")


def test_fields_limit_the_record_but_keep_identity(
    client: JobNimbusClient, fake: FakeJobNimbus
) -> None:
    page = client.page(JOBS, size=5, fields=["number", "status_name"])

    assert fake.requests.entries[-1].query["fields"] == (
        "jnid,date_created,date_updated,number,status_name"
    )
    job = page.results[0]
    assert job.number
    assert job.status_name
    assert job.name is None
    assert job.geo is None


def test_get_job_and_custom_fields(client: JobNimbusClient) -> None:
    listed = client.page(JOBS, size=1, terms={"record_type_name": "Insurance"}).results[0]

    job = client.get_job(listed.jnid)

    assert job == listed
    assert job.date_updated.tzinfo is UTC
    assert job.geo is not None
    assert job.primary is not None
    assert client.get_contact(job.primary.id).display_name == job.primary.name
    assert "Job Type" in job.extra
    assert "Insurance Company" in job.extra


def test_get_missing_record_is_a_request_error(client: JobNimbusClient) -> None:
    with pytest.raises(VendorRequestError) as caught:
        client.get_job("nope")
    assert caught.value.status == 404


def test_account_settings_lists_job_workflows(client: JobNimbusClient) -> None:
    settings = client.account_settings()

    workflows = {w.name: [s.name for s in w.status] for w in settings.job_workflows()}
    assert workflows == {w.name: list(w.statuses) for w in STOCK_WORKFLOWS}
    assert all(status.is_closed for w in settings.job_workflows() for status in w.status[-3:])


def test_terms_filter_with_several_values(client: JobNimbusClient) -> None:
    page = client.page(JOBS, size=1000, terms={"status_name": ["Lost", "Cancelled"]})

    assert page.results
    assert {job.status_name for job in page.results} == {"Lost", "Cancelled"}


def test_the_default_limiter_is_polite() -> None:
    limiter = polite_limiter()
    client = JobNimbusClient("key")
    try:
        assert (limiter.rate, limiter.burst) == (5.0, 2)
        assert client.http.limiter is not None
        assert client.http.limiter.rate == 5.0
    finally:
        client.close()


def test_an_empty_api_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        JobNimbusClient("  ")


def test_datetime_cursor_is_sent_as_epoch_seconds(
    client: JobNimbusClient, fake: FakeJobNimbus
) -> None:
    client.page(TASKS, updated_since=datetime(2025, 1, 1, 0, 0, 0, 900_000, tzinfo=UTC), size=1)

    assert '"gte":1735689600' in fake.requests.entries[-1].query["filter"]


def _new_job(store: FakeJobNimbusStore, name: str) -> dict[str, object]:
    return store.create(
        "jobs", {"name": name, "record_type_name": "Insurance", "status_name": "Lead"}
    )
