"""The checklists docs/teams.md prints are the ones the code uses."""

from __future__ import annotations

from pathlib import Path

from roofops.team.checklists import CHECKLISTS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "teams.md"


def test_the_docs_print_every_checklist_item() -> None:
    text = DOCS.read_text()
    for items in CHECKLISTS.values():
        for item in items:
            required = "yes" if item.required else "if it applies"
            assert f"| `{item.code}` | {item.label} | {required} |" in text
