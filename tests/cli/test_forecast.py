"""roofops forecast run and show against a throwaway SQLite file, as an operator runs them."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli


def test_show_says_there_is_no_run_yet(migrated_cli: Cli) -> None:
    output = migrated_cli("forecast", "show", code=1)

    assert "no forecast run yet: run roofops forecast run" in output


def test_a_run_with_no_history_fails_with_why_and_show_reports_it(migrated_cli: Cli) -> None:
    failed = migrated_cli("forecast", "run", "--as-of", "2026-06-01", code=1)
    shown = json.loads(migrated_cli("forecast", "show", "--json"))

    assert "failed" in failed
    assert "no job history before 2026-06-01" in failed
    assert shown["status"] == "failed"
    assert shown["trigger"] == "cli"
    assert shown["threads"] == 1
    assert (shown["job_forecasts"], shown["series_points"]) == (0, 0)


def test_a_malformed_as_of_is_refused(migrated_cli: Cli) -> None:
    output = migrated_cli("forecast", "run", "--as-of", "01/06/2026", code=1)

    assert "not a date: 01/06/2026" in output
