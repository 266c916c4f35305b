"""roofops dispatch optimize, show and publish against a committed database of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from roofops.config import get_settings
from roofops.db import session_scope
from roofops.models import JobStage, Material
from tests.cli.conftest import Cli
from tests.factories import make_branch, make_crew, make_job, make_skill
from tests.web.live_server import browser_database


@pytest.fixture
def cli_db(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A shingle crew, a shingle job and a tile job nobody can do."""
    with browser_database(database_url, tmp_path) as url:
        with session_scope(url) as db:
            branch = make_branch(db)
            make_crew(db, branch=branch, skills=[make_skill(db, code="asphalt_shingle")])
            make_job(db, number="6001", stage=JobStage.CONTRACT_SIGNED, squares=Decimal(30))
            make_job(db, number="6002", stage=JobStage.SCHEDULED, material=Material.TILE)
        monkeypatch.setenv("ROOFOPS_DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        monkeypatch.undo()
        get_settings.cache_clear()


def test_optimize_show_and_publish(cli_db: str) -> None:
    cli = Cli()
    draft = json.loads(
        cli("dispatch", "optimize", "--start", "2027-01-04", "--days", "14",
            "--time-limit", "1", "--json")
    )  # fmt: skip
    assert (draft["status"], draft["solver"]) == ("draft", "cp-sat")
    reasons = {e["crew_id"] is None: e["reason"] for e in draft["entries"]}
    assert reasons[True] == "No crew has the skill tile."
    shown = cli("dispatch", "show")
    assert "6001 install:" in shown
    assert "6002 install: unscheduled. No crew has the skill tile." in shown
    published = cli("dispatch", "publish", draft["id"])
    assert f"Published {draft['id']} (published, optimize)" in published
    assert "is published" in cli("dispatch", "publish", draft["id"], code=1)
    assert "not a plan id" in cli("dispatch", "show", "--plan", "nope", code=1)
