"""The Dispatch board through TestClient: what it shows (crews by day, placements and why, the
queue and why not, closed days, time off, the day's routes) and who gets the controls."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from httpx import Response
from sqlalchemy.orm import Session

from roofops.dispatch.service import dispatch_service
from roofops.dispatch.weather import NoWeather
from roofops.integrations.weather.outlook import ForecastOutlook
from roofops.kit.time import utcnow
from roofops.models import Crew, Role
from roofops.models.dispatch import DispatchPlan, PlanStatus, WeatherForecast
from tests.web.conftest import Browser
from tests.web.dispatch_data import World, add_repairs, add_routes, build_world

SignIn = Callable[[Role], Browser]
MONDAY = date(2026, 12, 7)
HX = {"HX-Request": "true"}


@pytest.fixture
def world_page(db: Session) -> Callable[[Role], str]:
    world = build_world(db, MONDAY)
    add_routes(db, world, MONDAY)
    db.commit()

    def page_for(browser: Browser) -> str:
        response = browser.client.get(f"/dispatch?start={MONDAY}&days=14")
        assert response.status_code == 200
        return response.text

    return page_for  # type: ignore[return-value]


def test_the_board_shows_crews_by_day_with_placements_and_why(
    sign_in: SignIn, world_page: Callable[[Browser], str]
) -> None:
    page = world_page(sign_in(Role.VIEWER))

    assert "Shingle Crew" in page
    assert "Metal Crew" in page
    placed = page[page.index('data-job-number="D-100"') - 400 :]
    assert 'colspan="2"' in placed[:400]  # Monday and Tuesday: one block spanning both days
    assert "Earliest free skilled crew before the promised date." in page
    assert "Showing the <strong>published</strong> plan." in page


def test_unscheduled_jobs_say_why_not(
    sign_in: SignIn, world_page: Callable[[Browser], str]
) -> None:
    page = world_page(sign_in(Role.VIEWER))
    queue = page[page.index('id="queue"') :]
    assert "D-200" in queue
    assert "No crew with the &#39;metal&#39; skill is free before Dec 18." in queue


def test_weekends_holidays_and_time_off_are_marked(
    sign_in: SignIn, world_page: Callable[[Browser], str]
) -> None:
    page = world_page(sign_in(Role.VIEWER))
    assert re.search(r'class="board-day closed"[^>]*data-day="2026-12-12"', page)  # Saturday
    assert "Company day" in page  # Friday's holiday, by name
    assert 'title="Metal Crew: Sick"' in page


def test_the_days_routes_are_drawn_in_the_crew_colour(
    sign_in: SignIn, world_page: Callable[[Browser], str]
) -> None:
    world_page(sign_in(Role.VIEWER))
    routes = sign_in(Role.VIEWER).client.get(f"/dispatch/routes?day={MONDAY}", headers=HX).text
    assert '<polyline points="' in routes
    assert 'stroke="#dc2626"' in routes
    assert routes.count('class="stop"') == 2
    assert "D-100 · 8:00 AM" in routes
    assert "D-200 · 10:00 AM" in routes


def test_viewers_and_crew_leads_see_the_board_read_only(
    sign_in: SignIn, world_page: Callable[[Browser], str]
) -> None:
    for role in (Role.VIEWER, Role.CREW_LEAD, Role.OFFICE):
        page = world_page(sign_in(role))
        assert 'draggable="true"' not in page
        assert "data-move-open" not in page
        assert ">Optimize<" not in page
        assert "Mark crew out" not in page
        assert 'id="move-dialog"' not in page


def test_dispatchers_get_drag_and_drop_and_the_controls(
    sign_in: SignIn, world_page: Callable[[Browser], str]
) -> None:
    for role in (Role.DISPATCHER, Role.ADMIN):
        page = world_page(sign_in(role))
        assert page.count('draggable="true"') == 2  # the placement and the queued job
        assert ">Optimize<" in page
        assert "Mark crew out" in page
        assert 'id="move-dialog"' in page


@pytest.mark.parametrize("path", ["/dispatch/move", "/dispatch/lock", "/dispatch/crew-out"])
def test_readers_cannot_change_the_plan(sign_in: SignIn, path: str) -> None:
    response = sign_in(Role.CREW_LEAD).post(path, {"job_id": "x"}, headers=HX)
    assert response.status_code == 403


def test_the_board_fragment_and_a_bad_window_fall_back_to_defaults(
    sign_in: SignIn, world_page: Callable[[Browser], str]
) -> None:
    browser = sign_in(Role.VIEWER)
    fragment = browser.client.get(f"/dispatch/board?start={MONDAY}&days=7", headers=HX)
    assert fragment.text.lstrip().startswith('<div id="board"')
    assert fragment.text.count('class="board-day') == 7
    lenient = browser.client.get("/dispatch?start=not-a-date&days=999")
    assert lenient.status_code == 200
    assert lenient.text.count('class="board-day') == 42


def test_no_routes_says_so(sign_in: SignIn, world_page: Callable[[Browser], str]) -> None:
    later = MONDAY + timedelta(days=30)
    response = sign_in(Role.VIEWER).client.get(f"/dispatch/routes?day={later}", headers=HX)
    assert "No routes planned for Wednesday Jan 6." in response.text


# ----- moves, locks, events, plans (dispatchers) -------------------------------------------
@pytest.fixture
def world(db: Session) -> World:
    built = build_world(db, MONDAY)
    db.commit()
    return built


def _move(browser: Browser, world: World, crew: Crew, day: date) -> Response:
    form = {
        "job_id": str(world.waiting.id),
        "phase": "install",
        "crew_id": str(crew.id),
        "start_on": str(day),
        "window_start": str(MONDAY),
        "window_days": "14",
    }
    return browser.post("/dispatch/move", form, headers=HX)


def test_a_move_to_a_crew_without_the_skill_is_refused_with_the_reason(
    sign_in: SignIn, world: World, db: Session
) -> None:
    response = _move(sign_in(Role.DISPATCHER), world, world.shingles, MONDAY)

    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#board-alert"
    assert "Move refused." in response.text
    assert "Shingle Crew has no &#39;metal&#39; skill" in response.text
    drafts = db.scalars(sa.select(DispatchPlan).where(DispatchPlan.status == PlanStatus.DRAFT))
    assert list(drafts) == []  # nothing written


def test_an_accepted_move_puts_the_job_in_a_draft_and_shows_the_difference(
    sign_in: SignIn, world: World
) -> None:
    response = _move(sign_in(Role.DISPATCHER), world, world.metal, MONDAY)

    assert response.status_code == 200
    board, _, rest = response.text.partition('id="plan-bar"')
    assert 'data-job-number="D-200"' in board[board.index('id="board"') : board.index('id="queue"')]
    assert "Showing the <strong>draft</strong>" in board
    assert 'hx-swap-oob="true"' in rest  # the plan bar and the difference come along
    assert ">Publish<" in rest
    diff = rest[rest.index('id="plan-diff"') :]
    assert 'data-change="added" data-job-number="D-200"' in diff
    assert "Metal Crew, Dec 7 to Dec 8" in diff


def test_a_lock_pins_the_job_and_shows_the_pin(sign_in: SignIn, world: World) -> None:
    browser = sign_in(Role.DISPATCHER)
    form = {
        "job_id": str(world.placed.id),
        "lock": "true",
        "crew_id": str(world.shingles.id),
        "start_on": str(MONDAY),
        "window_start": str(MONDAY),
    }
    locked = browser.post("/dispatch/lock", form, headers=HX)
    assert locked.status_code == 200
    assert 'aria-label="Locked"' in locked.text
    assert "Unlock D-100" in locked.text

    unlocked = browser.post("/dispatch/lock", {**form, "lock": "false"}, headers=HX)
    assert 'aria-label="Locked"' not in unlocked.text


def test_marking_a_crew_out_offers_a_replan(sign_in: SignIn, world: World) -> None:
    browser = sign_in(Role.DISPATCHER)
    form = {"crew_id": str(world.shingles.id), "starts_on": str(MONDAY), "days": "2"}

    response = browser.post("/dispatch/crew-out", form, headers=HX)

    assert response.status_code == 200
    assert "Crew marked out. Press Re-plan" in response.text
    assert "Shingle Crew: crew out from Dec 7 for 2 working days" in response.text
    assert ">Re-plan<" in response.text
    board = browser.client.get(f"/dispatch/board?start={MONDAY}&days=14", headers=HX).text
    assert "Crew out on some of these days" in board  # D-100, Monday and Tuesday


def test_a_bad_crew_out_is_refused_beside_the_form(sign_in: SignIn, world: World) -> None:
    form = {"crew_id": str(world.shingles.id), "starts_on": str(MONDAY), "days": "0"}
    response = sign_in(Role.DISPATCHER).post("/dispatch/crew-out", form, headers=HX)
    assert response.status_code == 422
    assert "a crew is out for 1 to 30 working days" in response.text


def test_publish_makes_the_draft_the_plan(sign_in: SignIn, world: World, db: Session) -> None:
    browser = sign_in(Role.DISPATCHER)
    assert _move(browser, world, world.metal, MONDAY).status_code == 200
    draft = db.scalars(sa.select(DispatchPlan).where(DispatchPlan.status == PlanStatus.DRAFT)).one()

    response = browser.post("/dispatch/publish", {"plan_id": str(draft.id)}, headers=HX)

    assert response.status_code == 204
    assert response.headers["HX-Trigger"] == "dispatch-planned"
    page = browser.client.get(f"/dispatch?start={MONDAY}").text
    assert "Showing the <strong>published</strong> plan." in page
    assert ">Publish<" not in page


def test_discarding_twice_says_why(sign_in: SignIn, world: World, db: Session) -> None:
    browser = sign_in(Role.DISPATCHER)
    _move(browser, world, world.metal, MONDAY)
    draft = db.scalars(sa.select(DispatchPlan).where(DispatchPlan.status == PlanStatus.DRAFT)).one()
    assert (
        browser.post("/dispatch/discard", {"plan_id": str(draft.id)}, headers=HX).status_code == 204
    )

    again = browser.post("/dispatch/discard", {"plan_id": str(draft.id)}, headers=HX)
    assert again.status_code == 409
    assert "only a draft schedule can be discarded" in again.text.lower()


# ----- weather -------------------------------------------------------------------------------
@pytest.fixture
def forecast_outlook() -> Iterator[None]:
    """The forecast-reading outlook the composition root connects in production."""
    dispatch_service.connect_weather(ForecastOutlook())
    yield
    dispatch_service.connect_weather(NoWeather())


def _forecast(on: date, latitude: float, longitude: float, rain_mm: float) -> WeatherForecast:
    return WeatherForecast(
        latitude=latitude,
        longitude=longitude,
        on=on,
        precipitation_mm=rain_mm,
        precipitation_probability=90 if rain_mm else 0,
        wind_max_mph=8,
        gust_max_mph=12,
        temp_min_f=50,
        temp_max_f=65,
        source="test",
        fetched_at=utcnow(),
    )


@pytest.mark.usefixtures("forecast_outlook")
def test_weather_days_are_marked_on_the_day_and_on_the_work_with_the_reason(
    sign_in: SignIn, world: World, db: Session
) -> None:
    tuesday = MONDAY + timedelta(days=1)
    # D-100's site (39.75, -105.02): 14 mm of rain on Tuesday, dry the other days.
    db.add_all(
        _forecast(MONDAY + timedelta(days=n), 39.75, -105.02, 14.0 if n == 1 else 0.0)
        for n in range(14)
    )
    db.commit()

    page = sign_in(Role.VIEWER).client.get(f"/dispatch?start={MONDAY}&days=14").text

    header = re.search(rf'<th scope="col" class="board-day weather" data-day="{tuesday}"', page)
    assert header is not None
    assert "Weather stops work at 1 site" in page
    block = page[page.index('data-job-number="D-100"') :]
    assert "Tue Dec 8: rain" in block[: block.index("</details>")]


# ----- routes of the day ---------------------------------------------------------------------
def test_a_dispatcher_plans_the_days_routes_and_publishes_them(
    sign_in: SignIn, world: World, db: Session
) -> None:
    add_repairs(db, world)
    db.commit()
    browser = sign_in(Role.DISPATCHER)

    planned = browser.post("/dispatch/routes/plan", {"day": str(MONDAY)}, headers=HX)

    assert planned.status_code == 200
    assert "Draft routes" in planned.text
    assert 'stroke="#16a34a"' in planned.text  # the service crew's colour
    assert planned.text.count('class="stop"') == 2
    assert "R-1 · " in planned.text
    plan_id = re.search(r'name="plan_id" value="([^"]+)"', planned.text)
    assert plan_id is not None

    form = {"day": str(MONDAY), "plan_id": plan_id.group(1)}
    published = browser.post("/dispatch/routes/publish", form, headers=HX)
    assert published.status_code == 200
    assert "Published routes" in published.text
    assert "Publish routes" not in published.text


def test_readers_see_the_routes_without_the_planning_buttons(
    sign_in: SignIn, world: World, db: Session
) -> None:
    add_routes(db, world, MONDAY)
    db.commit()
    routes = sign_in(Role.CREW_LEAD).client.get(f"/dispatch/routes?day={MONDAY}", headers=HX)
    assert "Published routes" in routes.text
    assert "Plan routes" not in routes.text
    assert (
        sign_in(Role.CREW_LEAD)
        .post("/dispatch/routes/plan", {"day": str(MONDAY)}, headers=HX)
        .status_code
        == 403
    )


def test_the_board_shows_one_branchs_crews_when_asked(sign_in: SignIn, world: World) -> None:
    browser = sign_in(Role.VIEWER)
    url = f"/dispatch?start={MONDAY}&days=7&branch={world.shingles.branch_id}"

    page = browser.client.get(url).text

    assert 'scope="row" class="board-crew"' in page
    assert ">Shingle Crew" in page.replace("</svg>", ">")
    assert "Metal Crew" not in page[page.index('id="board"') :]
    assert f"branch={world.shingles.branch_id}" in page  # the links keep the branch
