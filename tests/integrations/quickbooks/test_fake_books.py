"""Books built from the demo company: shapes, allocation, determinism and change sets."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from roofops.demo.generator import generate
from roofops.demo.records import DemoData
from roofops.integrations.quickbooks.client import updated_since
from roofops.integrations.quickbooks.schemas import (
    Account,
    Bill,
    Customer,
    Invoice,
    Item,
    Payment,
    Purchase,
    QboClass,
    QboEntity,
    TimeActivity,
    Transaction,
    Vendor,
)
from roofops.models.enums import JobStage
from roofops.sandbox.quickbooks.books import FakeCompany, books_for_jobs, build_books
from roofops.sandbox.quickbooks.changes import change_jobs
from roofops.sandbox.quickbooks.ledger import ACCOUNT_CATEGORY
from roofops.sandbox.quickbooks.store import Books, FakeClock
from tests.integrations.quickbooks.conftest import REALM, Harness

AS_OF = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate(0.2, 11, AS_OF)


@pytest.fixture(scope="module")
def company(demo: DemoData) -> FakeCompany:
    return build_books(demo, clock=FakeClock(NOW))


def _expense_lines(books: Books) -> list[dict[str, Any]]:
    return [
        line.get("AccountBasedExpenseLineDetail") or line["ItemBasedExpenseLineDetail"]
        for entity in ("Bill", "Purchase")
        for row in books.rows(entity)
        for line in row["Line"]
    ]


def test_contracted_jobs_get_a_project_and_numbered_invoices(
    demo: DemoData, company: FakeCompany
) -> None:
    signed = {e.job_id for e in demo.stage_events if e.to_stage == JobStage.CONTRACT_SIGNED}
    numbers = {job.number for job in demo.jobs if job.id in signed}
    books = company.books

    assert set(company.jobs) == numbers
    for ledger in company.jobs.values():
        project = books.get("Customer", ledger.project_id) or {}
        assert project["Job"] is True
        assert books.get("Customer", project["ParentRef"]["value"]) is not None
        docs = [(books.get("Invoice", i) or {})["DocNumber"] for i in ledger.invoices]
        assert all(re.fullmatch(rf"{ledger.number}(-[23])?", doc) for doc in docs)


def test_costs_are_allocated_to_projects_by_line(company: FakeCompany) -> None:
    books = company.books
    projects = {ledger.project_id for ledger in company.jobs.values()}
    accounts = {row["Id"]: row["Name"] for row in books.rows("Account")}
    job_lines = [detail for detail in _expense_lines(books) if "CustomerRef" in detail]

    assert {detail["CustomerRef"]["value"] for detail in job_lines} <= projects
    assert all("ClassRef" in detail for detail in job_lines)
    used = {accounts[d["AccountRef"]["value"]] for d in job_lines if "AccountRef" in d}
    assert set(ACCOUNT_CATEGORY) - {"Materials"} <= used
    payment_types = {row["PaymentType"] for row in books.rows("Purchase")}
    assert {"Check", "CreditCard"} <= payment_types


def test_margins_are_realistic(company: FakeCompany) -> None:
    books = company.books
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    cost: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in books.rows("Invoice"):
        revenue[invoice["CustomerRef"]["value"]] += invoice["TotalAmt"]
    for entity in ("Bill", "Purchase"):
        for row in books.rows(entity):
            for line in row["Line"]:
                detail = (
                    line.get("AccountBasedExpenseLineDetail") or line["ItemBasedExpenseLineDetail"]
                )
                if "CustomerRef" in detail:
                    cost[detail["CustomerRef"]["value"]] += line["Amount"]
    margins = sorted(float((revenue[p] - cost[p]) / revenue[p]) for p in cost if revenue[p] > 0)

    median = margins[len(margins) // 2]
    assert 0.25 <= median <= 0.45
    assert margins[0] < 0 < margins[-1]


def test_every_entity_parses_with_the_client_models(company: FakeCompany) -> None:
    books = company.books
    models: tuple[type[QboEntity], ...] = (
        Account,
        Bill,
        Customer,
        Invoice,
        Item,
        Payment,
        Purchase,
        QboClass,
        TimeActivity,
        Vendor,
    )
    parsed = {
        model.entity_name: [
            model.model_validate(json.loads(json.dumps(row, default=str)))
            for row in books.rows(model.entity_name)
        ]
        for model in models
    }

    assert all(parsed.values())
    activities = [TimeActivity.model_validate(row) for row in books.rows("TimeActivity")]
    assert all(activity.duration_hours > 0 for activity in activities)


def test_the_books_are_deterministic(demo: DemoData, company: FakeCompany) -> None:
    again = build_books(demo, clock=FakeClock(NOW))

    for entity in ("Invoice", "Payment", "Bill", "Purchase", "TimeActivity", "Customer"):
        assert again.books.rows(entity) == company.books.rows(entity)


def test_a_change_set_touches_exactly_k_jobs(qbo: Harness, demo: DemoData) -> None:
    company = build_books(demo, clock=qbo.clock)
    qbo.fake.add_company(REALM, company.books)
    since = qbo.clock()
    qbo.clock.advance(timedelta(minutes=1))

    changed = change_jobs(company, 12, seed=3)

    with qbo.client() as client:
        touched = {
            ref.value
            for model in (Invoice, Bill, Purchase)
            for entity in client.query(model, updated_since(since)).entities
            for ref in _project_refs(entity)
        }
        deleted = client.cdc([Purchase], since).deleted.get("Purchase", [])
    projects = {company.jobs[number].project_id for number in changed}
    assert len(changed) == 12
    assert touched <= projects
    assert len(touched) + len(deleted) == 12
    assert change_jobs(build_books(demo, clock=FakeClock(NOW)), 12, seed=3) == changed


def _project_refs(entity: Transaction) -> list[Any]:
    if isinstance(entity, Invoice):
        return [entity.customer_ref]
    return [line.customer_ref for line in entity.line if line.customer_ref]


def test_books_for_jobs_sizes_the_company() -> None:
    data, company = books_for_jobs(300, 5, AS_OF)

    assert 250 <= len(data.jobs) <= 350
    assert company.books.count("Invoice") > 100
