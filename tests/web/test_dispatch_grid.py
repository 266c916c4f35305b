"""The board's grid and route map layouts: pure functions, checked on random input."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from roofops.web.dispatch_grid import CrewInput, Day, Placement, crew_row
from roofops.web.route_map import HEIGHT, WIDTH, Place, RouteIn, StopIn, draw

FIRST = date(2026, 12, 7)
DAYS = [Day(FIRST + timedelta(days=n)) for n in range(14)]


def placement(start: int, length: int, number: str = "J-1") -> Placement:
    return Placement(
        job_id=uuid.uuid4(),
        phase="install",
        job_number=number,
        address="1 Main St",
        starts_on=FIRST + timedelta(days=start),
        ends_on=FIRST + timedelta(days=start + length - 1),
        reason="",
    )


def crew(*placements: Placement, off: dict[date, str] | None = None) -> CrewInput:
    return CrewInput(uuid.uuid4(), "Crew A", "#2563eb", ("metal",), placements, off or {})


@settings(deadline=None)  # shared CI cores: a slow example is not a wrong one
@given(st.lists(st.tuples(st.integers(-5, 16), st.integers(1, 6)), max_size=12))
def test_every_placement_in_view_is_drawn_once_and_lanes_cover_every_day(
    spans: list[tuple[int, int]],
) -> None:
    placements = [placement(start, length, f"J-{i}") for i, (start, length) in enumerate(spans)]
    row = crew_row(crew(*placements), DAYS)

    drawn = [cell.placement for lane in row.lanes for cell in lane if cell.placement]
    in_view = [p for p in placements if p.ends_on >= DAYS[0].on and p.starts_on <= DAYS[-1].on]
    assert sorted(p.job_number for p in drawn) == sorted(p.job_number for p in in_view)
    for lane in row.lanes:
        assert sum(cell.span for cell in lane) == len(DAYS)  # no overlap, no gap


def test_a_placement_spans_its_days_and_is_clipped_to_the_window() -> None:
    row = crew_row(crew(placement(-2, 4), placement(12, 5, "J-2")), DAYS)
    cells = [cell for cell in row.lanes[0] if cell.placement]
    assert [(cell.day.on, cell.span) for cell in cells] == [
        (FIRST, 2),  # started two days before the window: its last two days show
        (FIRST + timedelta(days=12), 2),  # runs past the window's end
    ]


def test_overlapping_placements_get_a_lane_each_and_time_off_is_marked() -> None:
    off = {FIRST + timedelta(days=1): "Sick", FIRST + timedelta(days=5): "Crew out"}
    row = crew_row(crew(placement(0, 3), placement(2, 2, "J-2"), off=off), DAYS)
    assert len(row.lanes) == 2
    first = row.lanes[0][0]
    assert first.placement is not None
    assert first.off == "Sick"  # the crew is off during the placement
    assert row.lanes[0][3].off == "Crew out"  # an empty day: day 5 is the 4th cell (3 + 1 + 1)


def test_routes_fit_the_drawing_and_number_their_stops() -> None:
    stops = [StopIn(Place(39.70 + i / 100, -105.0 + i / 50), f"J-{i}") for i in range(1, 4)]
    route = RouteIn(uuid.uuid4(), "Crew A", "#dc2626", Place(39.69, -105.01), stops)

    (drawn,) = draw([route])

    assert [marker.number for marker in drawn.stops] == [1, 2, 3]
    points = [tuple(map(float, xy.split(","))) for xy in drawn.points.split()]
    assert len(points) == 5  # home, three stops, home
    assert points[0] == points[-1]
    assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in points)
    north = min(drawn.stops, key=lambda marker: marker.y)
    assert north.number == 3  # the northernmost stop is drawn highest


def test_one_stop_without_a_home_still_draws() -> None:
    route = RouteIn(uuid.uuid4(), "Crew A", "#000", None, [StopIn(Place(39.7, -105.0), "J-1")])
    (drawn,) = draw([route])
    assert drawn.home is None
    assert drawn.points == f"{WIDTH / 2},{HEIGHT / 2}"
    assert draw([]) == []
