"""roofops invoices list, generate, show and void against a real, committed database (SQLite
or PostgreSQL, as the suite runs), through the same service the pages and the API call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.db import session_scope
from roofops.models import Invoice, JobStage
from tests.cli.conftest import Cli, committed_database
from tests.factories import make_job

CONTRACT = 1_845_000  # $18,450.00


@pytest.fixture
def cli_db(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own, with a retail job 5003 committed."""

    def seed(db: Session) -> None:
        make_job(db, number="5003", stage=JobStage.CONTRACT_SIGNED, contract_cents=CONTRACT)

    with committed_database(database_url, tmp_path, monkeypatch, seed) as url:
        yield url


@pytest.fixture
def cli(cli_db: str) -> Cli:
    return Cli()


def test_generate_list_show_and_void(cli: Cli, cli_db: str) -> None:
    raised = json.loads(cli("invoices", "generate", "5003", "--kind", "deposit", "--json"))
    assert (raised["number"], raised["total"], raised["status"]) == ("5003", "5535.00", "draft")

    progress = cli(
        "invoices", "generate", "5003", "--kind", "progress",
        "--description", "Tear-off", "--amount", "2000",
    )  # fmt: skip
    assert "Raised invoice 5003-2: progress to" in progress
    assert "total $2,000.00" in progress

    listed = json.loads(cli("invoices", "list", "--job", "5003", "--json"))
    assert [item["number"] for item in listed["items"]] == ["5003-2", "5003"]
    assert listed["total"] == 2
    assert "5003-2" in cli("invoices", "list", "--kind", "progress")

    shown = cli("invoices", "show", "5003")
    assert "Deposit: 30% of the contract $18,450.00: $5,535.00" in shown

    voided = json.loads(cli("invoices", "void", "5003", "--reason", "wrong percent", "--json"))
    assert (voided["status"], voided["void_reason"]) == ("void", "wrong percent")
    with session_scope(cli_db) as db:
        invoice = db.query(Invoice).filter_by(number="5003").one()
        history = audit_service.history(db, "invoice", invoice.id)
    assert [(row.action, row.actor_label) for row in history] == [
        ("invoice.created", "command line"),
        ("invoice.voided", "command line"),
    ]
    assert listed_numbers(cli, "--status", "void") == ["5003"]


def listed_numbers(cli: Cli, *args: str) -> list[str]:
    return [
        item["number"] for item in json.loads(cli("invoices", "list", *args, "--json"))["items"]
    ]


def test_refusals_are_one_sentence_and_exit_1(cli: Cli) -> None:
    unknown_job = cli("invoices", "generate", "9999", "--kind", "deposit", code=1)
    assert "no job numbered 9999" in unknown_job
    too_much = cli(
        "invoices", "generate", "5003", "--kind", "progress",
        "--description", "All of it", "--amount", "20000", code=1,
    )  # fmt: skip
    assert "$18,450.00 is left to invoice" in too_much
    bad_percent = cli("invoices", "generate", "5003", "--kind", "deposit", "--percent", "x", code=1)
    assert "percent" in bad_percent
    assert "no invoice numbered 5003" in cli("invoices", "show", "5003", code=1)
    cli("invoices", "generate", "5003", "--kind", "deposit")
    assert "reason" in cli("invoices", "void", "5003", "--reason", " ", code=1)
    cli("invoices", "void", "5003", "--reason", "duplicate")
    assert "already void" in cli("invoices", "void", "5003", "--reason", "again", code=1)
