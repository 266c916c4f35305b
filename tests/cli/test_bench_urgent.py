"""roofops bench urgent at a small size: every urgent visit is placed into a day with room, by
insertion, and each result passes the plan check (the timing target is measured outside the
suite, on a quiet machine)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from roofops.cli.main import app
from roofops.engines.routing.generator import service_day


def test_the_urgent_bench_places_every_leak_in_a_day_with_room() -> None:
    args = ["bench", "urgent", "--visits", "12", "--crews", "4", "--inserts", "5"]

    outcome = CliRunner().invoke(app, [*args, "--route-seconds", "0.5", "--json"])

    assert outcome.exit_code == 0, outcome.output
    figures = json.loads(outcome.output)
    assert figures["inserts"] == 5
    assert figures["placed"] == 5
    assert figures["violations"] == 0
    assert figures["median_seconds"] <= figures["max_seconds"]


def test_a_service_day_is_the_same_for_the_same_seed_and_keeps_sites_free_for_leaks() -> None:
    first, again = service_day(10, 3, 4, seed=7), service_day(10, 3, 4, seed=7)

    assert first == again
    visited = {visit.location for visit in first.problem.visits}
    assert visited.isdisjoint(first.urgent_locations)
    assert len(first.urgent_locations) == 4
