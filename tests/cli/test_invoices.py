"""roofops invoices send (e-mailed now, in this process, to a real SMTP server) and push, and
roofops bench invoicing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from roofops.auth.principal import Principal
from roofops.config import get_settings
from roofops.db import session_scope
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.models import ActorType, InvoiceKind, Role
from tests.cli.conftest import Cli
from tests.factories import make_job
from tests.smtp import SmtpServer, running_smtp_server

FINANCE = Principal(None, "finance@example.com", "Fin", Role.FINANCE, ActorType.USER)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        for name, value in {
            "ROOFOPS_SMTP_HOST": "127.0.0.1",
            "ROOFOPS_SMTP_PORT": str(server.port),
            "ROOFOPS_SMTP_SECURITY": "none",
            "ROOFOPS_MAIL_FROM": "billing@summit.example",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()


def test_an_invoice_is_sent_by_its_number(
    migrated_cli: Cli, cli_url: str, smtp: SmtpServer
) -> None:
    with session_scope(cli_url) as db:
        job = make_job(db, number="6100", contract_cents=1_000_000)
        data = InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT)
        invoice_service.generate(db, FINANCE, data)

    sent = migrated_cli("invoices", "send", "6100", "--to", "pat@example.com")
    missing = migrated_cli("invoices", "send", "6199", code=1)
    bad = migrated_cli("invoices", "send", "6100", "--to", "pat at example", code=1)

    assert "invoice 6100 sent to pat@example.com" in sent
    assert [m["Subject"] for m in smtp.to("pat@example.com")] == [
        "Invoice 6100 from My Roofing Company"
    ]
    assert "no invoice numbered 6199" in missing
    assert "not a valid e-mail address" in bad
    with session_scope(cli_url) as db:
        invoice = invoice_service.get(db, invoice_service.id_by_number(db, "6100"))
        assert (invoice.status.value, invoice.sent_at is not None) == ("sent", True)


def test_a_refused_send_exits_1_with_the_reason(
    migrated_cli: Cli, cli_url: str, smtp: SmtpServer
) -> None:
    with session_scope(cli_url) as db:
        job = make_job(db, number="6200", contract_cents=1_000_000)
        invoice_service.generate(
            db, FINANCE, InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT)
        )
    smtp.refuse_with = "550 No such user"

    output = migrated_cli("invoices", "send", "6200", code=1)

    assert "invoice 6200 was not sent" in output
    assert "550 No such user" in output


def test_push_names_an_invoice_or_all(migrated_cli: Cli) -> None:
    assert "give an invoice number, or --all" in migrated_cli("invoices", "push", code=2)


def test_push_all_with_nothing_to_push_says_so(migrated_cli: Cli) -> None:
    assert "nothing to push" in migrated_cli("invoices", "push", "--all")


def test_push_of_an_unknown_number_fails_readably(migrated_cli: Cli) -> None:
    assert "no invoice numbered 9999" in migrated_cli("invoices", "push", "9999", code=1)


@pytest.mark.parametrize("provider", ["quickbooks", "xero"])
def test_the_invoicing_bench_pushes_each_invoice_once(cli: Cli, provider: str) -> None:
    output = cli(
        "bench",
        "invoicing",
        "--provider",
        provider,
        "--invoices",
        "12",
        "--lost-responses",
        "0.3",
        "--json",
    )
    figures = json.loads(output.strip().splitlines()[-1])
    assert figures["invoices"] == figures["remote_created"] == 12
    assert (figures["duplicates"], figures["missing"], figures["failed"]) == (0, 0, 0)
    assert figures["requests"] > 12 * 3  # a lookup and a create each, and the retries
