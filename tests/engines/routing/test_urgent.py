"""An urgent visit inserted into a routed day: fast, checked, and the other crews untouched."""

from __future__ import annotations

from roofops.engines.plan_check.routes import check_routes
from roofops.engines.routing.model import RoutingProblem
from roofops.engines.routing.solver import solve
from roofops.engines.routing.urgent import insert_urgent, with_visit
from tests.engines.routing.days import HOUR, crew, grid_matrix, ring_day, visit


def test_an_urgent_leak_is_inserted_in_well_under_a_second_and_other_routes_stay() -> None:
    day = ring_day(visits=30, crews=8)  # spare crews: the leak always fits somewhere
    published = solve(day, time_limit=0.5, seed=1)
    leak = visit("leak", 7, window=(9 * HOUR, 12 * HOUR), service=60)

    result = insert_urgent(day, published, leak)

    assert result.solver == "cheapest-insertion"
    assert result.seconds < 0.2
    changed = [r for r in result.routes if r not in published.routes]
    assert [r.visit_ids.count("leak") for r in changed] == [1]
    assert len(result.routes) - len(changed) >= len(published.routes) - 1
    assert result.unassigned == published.unassigned
    left_out = {u.visit_id for u in result.unassigned}
    assert check_routes(with_visit(day, leak), result.routes, left_out) == []


def test_an_urgent_visit_needing_a_missing_skill_comes_back_with_the_reason() -> None:
    day = ring_day(visits=10, crews=2)
    published = solve(day, time_limit=0.2)

    result = insert_urgent(day, published, visit("slate", 3, skills=("slate",)))

    assert result.routes == published.routes
    assert [(u.visit_id, u.code) for u in result.unassigned if u.visit_id == "slate"] == [
        ("slate", "no_skilled_vehicle")
    ]


def test_when_no_position_fits_a_short_warm_search_makes_room() -> None:
    # Only the steep crew can take the urgent visit at 8:00, and it is busy with "a" until
    # 11:00; "a" cannot wait past 9:00. No insertion fits; moving "a" to the other crew does.
    day = RoutingProblem(
        (visit("a", 1, window=(8 * HOUR, 9 * HOUR), service=3 * HOUR),),
        (
            crew("steep", skills=("steep",), shift=(7 * HOUR, 17 * HOUR)),
            crew("plain", shift=(7 * HOUR, 17 * HOUR), fixed_cost=100_000),
        ),
        grid_matrix([(0, 0), (10, 0), (0, 10)]),
    )
    published = solve(day, time_limit=0.2)
    assert published.routes[0].vehicle_id == "steep"
    urgent = visit(
        "urgent", 2, window=(8 * HOUR, 8 * HOUR + 30), service=2 * HOUR, skills=("steep",)
    )

    without_search = insert_urgent(day, published, urgent, time_limit=0)
    with_search = insert_urgent(day, published, urgent, time_limit=0.3)

    assert [(u.visit_id, u.code) for u in without_search.unassigned] == [("urgent", "no_room")]
    assert with_search.solver == "pyvrp"
    assert with_search.feasible
    assert {r.vehicle_id: r.visit_ids for r in with_search.routes} == {
        "steep": ("urgent",),
        "plain": ("a",),
    }
