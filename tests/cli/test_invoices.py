"""roofops invoices push and roofops bench invoicing from the command line."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Cli


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
