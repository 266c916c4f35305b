"""The route plan check catches every deliberately broken plan, and passes a valid one."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roofops.engines.plan_check.routes import check_routes, clock
from roofops.engines.routing.model import Route, RoutingProblem, Stop
from roofops.engines.routing.timeline import plan_route
from tests.engines.routing.days import HOUR, crew, grid_matrix, lunch, visit

PROBLEM = RoutingProblem(
    (
        visit("a", 1, window=(8 * HOUR, 9 * HOUR), service=2 * HOUR),
        visit("b", 2, window=(10 * HOUR, 13 * HOUR), service=60, skills=("steep",)),
        visit("c", 3, window=(13 * HOUR, 15 * HOUR), service=60),
    ),
    (
        crew("north", skills=("steep",), lunch=lunch(11 * HOUR, 14 * HOUR, 30)),
        crew("south", home=4),
    ),
    grid_matrix([(0, 0), (10, 0), (20, 0), (30, 0), (0, 30)]),
)


def _valid() -> Route:
    route = plan_route(PROBLEM.vehicles[0], list(PROBLEM.visits), PROBLEM.matrix)
    assert route is not None
    return route


def _codes(*routes: Route, unassigned: tuple[str, ...] = ()) -> set[str]:
    return {v.code for v in check_routes(PROBLEM, routes, unassigned)}


def _with_stop(route: Route, index: int, **changes: int) -> Route:
    stops = list(route.stops)
    stops[index] = dataclasses.replace(stops[index], **changes)
    return dataclasses.replace(route, stops=tuple(stops))


def test_a_plan_timed_from_the_matrix_passes() -> None:
    route = _valid()

    assert check_routes(PROBLEM, [route]) == []
    assert route.break_start is not None


def test_visits_left_out_on_purpose_pass_and_missing_ones_do_not() -> None:
    route = plan_route(PROBLEM.vehicles[0], list(PROBLEM.visits[:2]), PROBLEM.matrix)
    assert route is not None

    assert _codes(route, unassigned=("c",)) == set()
    assert _codes(route) == {"visit_missing"}
    assert _codes(route, unassigned=("a", "c")) == {"visit_both"}


@pytest.mark.parametrize(
    ("breakage", "code"),
    [
        (lambda r: _with_stop(r, 0, arrival=r.stops[0].arrival - 5), "travel"),
        (lambda r: _with_stop(r, 0, arrival=9 * HOUR + 1, start=9 * HOUR + 1), "late"),
        (lambda r: _with_stop(r, 1, start=r.stops[1].arrival - 1), "early"),
        (lambda r: _with_stop(r, 2, departure=r.stops[2].start + 10), "service"),
        (lambda r: dataclasses.replace(r, start=6 * HOUR), "shift_start"),
        (lambda r: dataclasses.replace(r, end=r.end - 1), "travel"),
        (
            lambda r: dataclasses.replace(r, end=18 * HOUR, duration=18 * HOUR - r.start),
            "shift_end",
        ),
        (lambda r: dataclasses.replace(r, break_start=None), "break_missing"),
        (lambda r: dataclasses.replace(r, break_start=15 * HOUR, break_after=3), "break_window"),
        (lambda r: dataclasses.replace(r, break_start=r.stops[0].departure - 10), "break_overlap"),
        (lambda r: dataclasses.replace(r, start_location=4), "start_location"),
        (lambda r: dataclasses.replace(r, end_location=3), "end_location"),
        (lambda r: dataclasses.replace(r, distance=r.distance - 1), "figures"),
        (lambda r: dataclasses.replace(r, vehicle_id="ghost"), "unknown_vehicle"),
        (lambda r: dataclasses.replace(r, stops=(*r.stops, r.stops[0])), "visit_twice"),
    ],
)
def test_each_broken_rule_is_named(breakage: object, code: str) -> None:
    assert callable(breakage)

    assert code in _codes(breakage(_valid()))


def test_a_crew_without_the_skill_is_refused_with_a_sentence() -> None:
    route = plan_route(PROBLEM.vehicles[1], list(PROBLEM.visits), PROBLEM.matrix)
    assert route is not None

    (violation,) = check_routes(PROBLEM, [route])

    assert (violation.code, violation.vehicle_id, violation.visit_id) == ("skill", "south", "b")
    assert violation.message == "south lacks steep needed at b."


def test_two_routes_for_one_crew_are_refused() -> None:
    first = plan_route(PROBLEM.vehicles[0], list(PROBLEM.visits[:1]), PROBLEM.matrix)
    second = plan_route(PROBLEM.vehicles[0], list(PROBLEM.visits[1:]), PROBLEM.matrix)
    assert first
    assert second

    assert _codes(first, second) == {"vehicle_twice"}


@given(st.integers(0, 2), st.integers(1, 120))
def test_any_arrival_pushed_past_its_window_is_caught(index: int, minutes: int) -> None:
    route = _valid()
    late = PROBLEM.visits[index].window[1] + minutes
    stop = route.stops[index]
    broken = _with_stop(
        route, index, arrival=late, start=late, departure=late + stop.departure - stop.start
    )

    assert "late" in _codes(broken)


def test_capacity_is_checked() -> None:
    heavy = dataclasses.replace(PROBLEM.visits[0], demand=5)
    small = dataclasses.replace(PROBLEM.vehicles[1], capacity=4)
    problem = RoutingProblem((heavy,), (small,), PROBLEM.matrix)
    route = plan_route(small, [heavy], problem.matrix)
    assert route is not None

    assert [v.code for v in check_routes(problem, [route])] == ["capacity"]


def test_clock_reads_minutes_from_midnight() -> None:
    assert (clock(0), clock(7 * HOUR + 5), clock(25 * HOUR)) == ("00:00", "07:05", "25:00")


def test_stop_is_what_the_check_reads() -> None:
    # The check trusts nothing but these four fields and the matrix.
    assert [f.name for f in dataclasses.fields(Stop)] == [
        "visit_id",
        "arrival",
        "start",
        "departure",
    ]
