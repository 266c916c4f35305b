"""docs/access.md's tables, printed from the permission table itself so the two cannot drift.

``python -m roofops.auth.access_doc docs/access.md`` rewrites the generated part of the page;
tests/auth/test_access_doc.py fails while the page and the table differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from roofops.auth.permissions import (
    MONEY_RULE,
    MONEY_STAGES,
    MOVE_TO,
    PUBLIC_MOUNTS,
    PUBLIC_ROUTES,
    TABLE,
    Permission,
)
from roofops.models.enums import JobStage, Role

BEGIN = "<!-- generated from roofops.auth.permissions: python -m roofops.auth.access_doc -->"
END = "<!-- end of generated part -->"


def _roles(permission: Permission) -> str:
    """In the order of the Role enum, the order the roles table above lists them."""
    return ", ".join(role.value for role in Role if permission.allows(role))


def _permission_table() -> list[str]:
    rows = [f"| `{p.value}` | {_roles(p)} | {grant.covers} |" for p, grant in TABLE.items()]
    return ["| permission | roles | lets them |", "| --- | --- | --- |", *rows]


def _stage_table() -> list[str]:
    rows = [
        f"| {stage.value} | `{MOVE_TO[stage].value}` | {_roles(MOVE_TO[stage])} |"
        for stage in JobStage
    ]
    money = ", ".join(stage.value for stage in JobStage if stage in MONEY_STAGES)
    note = (
        f"Moving a job *out of* a money stage ({money}; in practice invoiced back to "
        f"completed) needs "
        f"`{Permission.MOVE_TO_BILLING.value}` whatever the target: undoing an invoice is the "
        "books' decision. The lifecycle (docs/jobs.md) still decides which moves exist at all."
    )
    return ["| move to | permission | roles |", "| --- | --- | --- |", *rows, "", note]


def _public_list() -> list[str]:
    entries = {**PUBLIC_ROUTES, **{f"{path}…": why for path, why in PUBLIC_MOUNTS.items()}}
    return [f"- `{route}`: {why}" for route, why in entries.items()]


def render() -> str:
    parts = [
        BEGIN,
        "### Permissions",
        *_permission_table(),
        "",
        "### Stage moves",
        *_stage_table(),
        "",
        "### Money",
        MONEY_RULE,
        "",
        "### Open without sign-in",
        *_public_list(),
        END,
    ]
    return "\n".join(parts)


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
