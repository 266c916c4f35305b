"""Routing days for the tests: hand-made ones and a hypothesis strategy for random small ones."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from roofops.engines.routing.model import (
    Break,
    RoutingProblem,
    TravelMatrix,
    Vehicle,
    Visit,
)

SKILLS = ("steep", "metal", "tile")
HOUR = 60


def grid_matrix(points: list[tuple[int, int]]) -> TravelMatrix:
    """One grid unit is a minute's drive and 1,000 m (Euclidean, minutes rounded up)."""
    lengths = [[math.dist(a, b) for b in points] for a in points]
    return TravelMatrix(
        durations=tuple(tuple(math.ceil(d) for d in row) for row in lengths),
        distances=tuple(tuple(round(d * 1000) for d in row) for row in lengths),
    )


def crew(
    crew_id: str,
    *,
    skills: tuple[str, ...] = (),
    home: int = 0,
    end: int | None = None,
    shift: tuple[int, int] = (7 * HOUR, 17 * HOUR),
    lunch: Break | None = None,
    fixed_cost: int = 0,
) -> Vehicle:
    return Vehicle(
        id=crew_id,
        start_location=home,
        end_location=home if end is None else end,
        shift=shift,
        skills=frozenset(skills),
        break_=lunch,
        fixed_cost=fixed_cost,
    )


def visit(
    visit_id: str,
    location: int,
    *,
    window: tuple[int, int] = (8 * HOUR, 16 * HOUR),
    service: int = 45,
    skills: tuple[str, ...] = (),
    required: bool = True,
    prize: int = 0,
) -> Visit:
    return Visit(
        id=visit_id,
        location=location,
        service_minutes=service,
        window=window,
        required_skills=frozenset(skills),
        required=required,
        prize=prize,
    )


def lunch(earliest: int = 11 * HOUR, latest_end: int = 14 * HOUR, minutes: int = 30) -> Break:
    return Break(earliest, latest_end, minutes)


def ring_day(visits: int = 30, crews: int = 4, *, lunches: bool = True) -> RoutingProblem:
    """A branch at the centre, visits on rings around it, crews with mixed skills and lunch."""
    points = [(0, 0)] + [
        (round(12 * (1 + i % 3) * math.cos(i)), round(12 * (1 + i % 3) * math.sin(i)))
        for i in range(visits)
    ]
    day = tuple(
        visit(
            f"v{i}",
            i,
            window=(7 * HOUR + 30 * (i % 12), 7 * HOUR + 30 * (i % 12) + 240),
            service=30 + 15 * (i % 3),
            skills=(SKILLS[i % 3],) if i % 4 == 0 else (),
        )
        for i in range(1, visits + 1)
    )
    fleet = tuple(
        crew(
            f"c{n}",
            skills=SKILLS if n % 2 == 0 else SKILLS[:1],
            lunch=lunch() if lunches else None,
            fixed_cost=500,
        )
        for n in range(crews)
    )
    return RoutingProblem(day, fleet, grid_matrix(points))


@st.composite
def small_days(draw: st.DrawFn) -> RoutingProblem:
    """1-3 crews and 1-8 visits on a 40 x 40 grid: skills, windows, shifts, lunches, optional
    visits with prizes, crews starting and ending at different places."""
    places = draw(st.integers(3, 10))
    coordinate = st.integers(0, 40)
    points = [(draw(coordinate), draw(coordinate)) for _ in range(places)]
    fleet = tuple(draw(_crew(f"c{n}", places)) for n in range(draw(st.integers(1, 3))))
    day = tuple(draw(_visit(f"v{n}", places)) for n in range(draw(st.integers(1, 8))))
    return RoutingProblem(day, fleet, grid_matrix(points))


def _skills() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(SKILLS), max_size=2, unique=True).map(tuple)


@st.composite
def _crew(draw: st.DrawFn, crew_id: str, places: int) -> Vehicle:
    start = draw(st.integers(6 * HOUR, 9 * HOUR))
    end = draw(st.integers(14 * HOUR, 18 * HOUR))
    earliest = draw(st.integers(11 * HOUR, 13 * HOUR))
    latest_end = min(end, earliest + draw(st.integers(30, 120)))
    rest = draw(st.none() | st.just(lunch(earliest, latest_end)))
    return crew(
        crew_id,
        skills=draw(_skills()),
        home=draw(st.integers(0, places - 1)),
        end=draw(st.integers(0, places - 1)),
        shift=(start, end),
        lunch=rest,
        fixed_cost=draw(st.sampled_from([0, 1000])),
    )


@st.composite
def _visit(draw: st.DrawFn, visit_id: str, places: int) -> Visit:
    opens = draw(st.integers(6 * HOUR, 17 * HOUR))
    required = draw(st.booleans())
    return visit(
        visit_id,
        draw(st.integers(0, places - 1)),
        window=(opens, opens + draw(st.integers(0, 6 * HOUR))),
        service=draw(st.integers(0, 120)),
        skills=draw(_skills()) if draw(st.integers(0, 3)) == 0 else (),
        required=required,
        prize=0 if required else draw(st.integers(0, 60_000)),
    )
