"""Solomon files read as routing problems in the DIMACS convention (tenths, truncated)."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from roofops.engines.routing.solomon import SCALE, dimacs_distance, read_solomon

DATA = Path(__file__).parent / "data"


def test_c101_reads_as_a_depot_a_fleet_and_a_hundred_customers() -> None:
    instance = read_solomon(DATA / "C101.txt")
    problem = instance.problem

    assert instance.name == "C101"
    assert len(problem.visits) == 100
    assert len(problem.vehicles) == 25
    assert {v.capacity for v in problem.vehicles} == {200}
    assert problem.vehicles[0].shift == (0, 1236 * SCALE)
    first = problem.visits[0]
    assert (first.location, first.demand, first.window, first.service_minutes) == (
        1,
        10,
        (912 * SCALE, 967 * SCALE),
        90 * SCALE,
    )
    assert problem.matrix.durations == problem.matrix.distances


@given(st.integers(-100, 100), st.integers(-100, 100))
def test_an_arc_is_its_euclidean_length_truncated_to_one_decimal(dx: int, dy: int) -> None:
    tenths = dimacs_distance((0.0, 0.0), (float(dx), float(dy)))

    assert tenths / SCALE <= math.hypot(dx, dy) < (tenths + 1) / SCALE


def test_exact_lengths_are_not_lost_to_floating_point() -> None:
    assert dimacs_distance((0.0, 0.0), (3.0, 4.0)) == 50
    assert dimacs_distance((0.0, 0.0), (0.3, 0.4)) == 5
