"""roofops reports finance: a report as JSON, CSV or an XLSX file, from the books' rows."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook

from roofops.db import session_scope
from tests.cli.conftest import Cli
from tests.report.conftest import insert_books


def test_ar_aging_as_json_csv_and_xlsx(migrated_cli: Cli, cli_url: str, tmp_path: Path) -> None:
    with session_scope(cli_url) as db:
        insert_books(db)

    body = json.loads(
        migrated_cli("reports", "finance", "--report", "ar-aging", "--as-of", "2026-06-30")
    )
    csv_text = migrated_cli("reports", "finance", "--as-of", "2026-06-30", "--format", "csv")
    target = tmp_path / "aging.xlsx"
    migrated_cli(
        "reports", "finance", "--as-of", "2026-06-30", "--format", "xlsx", "--output", str(target)
    )

    assert body["scope"] == "as of 2026-06-30"
    total_open = body["total"]["open"]
    assert f",{total_open}" in csv_text.splitlines()[-1]
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    assert sheet is not None
    last = [cell.value for cell in list(sheet.iter_rows())[-1]]
    assert last[0] == "Total"
    assert str(last[-1]) == str(float(total_open)).rstrip("0").rstrip(".") or last[-1] == float(
        total_open
    )


def test_bad_choices_end_with_a_sentence(migrated_cli: Cli) -> None:
    assert "before it starts" in migrated_cli(
        "reports", "finance", "--report", "revenue", "--from", "2026-05", "--to", "2026-01", code=1
    )
    assert "no report" in migrated_cli("reports", "finance", "--report", "cash", code=1)
    assert "--output" in migrated_cli("reports", "finance", "--format", "xlsx", code=1)
