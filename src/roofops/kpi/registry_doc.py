"""docs/executive.md's KPI table, printed from the registry itself so the two cannot drift.

``python -m roofops.kpi.registry_doc docs/executive.md`` rewrites the generated part of the
page; tests/kpi/test_registry_doc.py fails while the page and the registry differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from roofops.kpi.registry import KPIS
from roofops.kpi.results import KpiDefinition

BEGIN = "<!-- generated from roofops.kpi.registry: python -m roofops.kpi.registry_doc -->"
END = "<!-- end of generated part -->"


def _row(kpi: KpiDefinition) -> str:
    cells = (
        f"**{kpi.label}** (`{kpi.key}`)",
        kpi.unit.value.replace("_", "-"),
        kpi.definition,
        kpi.formula,
        "; ".join(kpi.sources),
        kpi.aggregation,
        "yes" if kpi.money else "no",
        "higher" if kpi.higher_is_better else "lower",
    )
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def render() -> str:
    header = (
        "| KPI | unit | definition | formula | sources | aggregation | needs view_money "
        "| better when |"
    )
    lines = [BEGIN, header, "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    return "\n".join([*lines, *(_row(kpi) for kpi in KPIS), END])


def rewrite(text: str) -> str:
    """``text`` with its generated part replaced by the current one."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + render() + tail


def main(path: str) -> None:
    page = Path(path)
    page.write_text(rewrite(page.read_text()))


if __name__ == "__main__":
    main(sys.argv[1])
