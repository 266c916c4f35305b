"""docs/access.md prints the permission table, the stage moves and the money rule as they are."""

from __future__ import annotations

from pathlib import Path

from roofops.auth.access_doc import BEGIN, END, render, rewrite
from roofops.auth.permissions import Permission

PAGE = Path(__file__).resolve().parents[2] / "docs" / "access.md"


def test_the_page_matches_the_table() -> None:
    text = PAGE.read_text()
    assert BEGIN in text
    assert END in text
    # On failure: uv run --frozen python -m roofops.auth.access_doc docs/access.md
    assert rewrite(text) == text


def test_every_permission_is_printed_with_its_roles() -> None:
    rows = {line.split("|")[1].strip(" `"): line for line in render().splitlines() if "| `" in line}
    for permission in Permission:
        roles = rows[permission.value].split("|")[2]
        assert {name.strip() for name in roles.split(",")} == {r.value for r in permission.roles}
