"""The dispatch service's board as the page lays it out: day columns (closed days and weather
named), one row of lanes per crew, the queue, the plans, what the draft changes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from roofops.dispatch.board import Board, BoardCrew, BoardEntry, PlanSummary, QueueItem
from roofops.dispatch.diff import Change, Slot
from roofops.models.dispatch import TimeOffKind
from roofops.web.dispatch_grid import CrewInput, CrewRow, Day, Placement, crew_row

OFF_LABELS = {
    TimeOffKind.TIME_OFF: "Time off",
    TimeOffKind.SICK: "Sick",
    TimeOffKind.CREW_OUT: "Crew out",
}
WeatherKey = tuple[uuid.UUID, str]  # (job, phase)


@dataclass(frozen=True)
class PlanState:
    """The schedule the crews work from, and the draft being made, if any."""

    published: PlanSummary | None
    draft: PlanSummary | None


@dataclass(frozen=True)
class BoardView:
    days: list[Day]
    rows: list[CrewRow]
    queue: tuple[QueueItem, ...]
    plans: PlanState
    changes: tuple[Change, ...] | None  # None: no draft


def board_view(board: Board) -> BoardView:
    weather = _weather(board)
    days = [_day(board, on, weather) for on in board.days]
    changes = board.diff.changes if board.diff else ()
    changed = {(c.job_id, str(c.phase)): str(c.kind) for c in changes}
    locked = {lock.job_id for lock in board.locks}
    by_crew: dict[uuid.UUID, list[Placement]] = defaultdict(list)
    for entry in board.entries:
        if entry.crew_id is not None:
            by_crew[entry.crew_id].append(_placement(entry, changed, locked, weather))
    rows = [crew_row(_crew_input(crew, board, by_crew[crew.id]), days) for crew in board.crews]
    plans = PlanState(board.published, board.draft)
    return BoardView(days, rows, board.queue, plans, changes if board.diff else None)


def _weather(board: Board) -> dict[WeatherKey, dict[date, str]]:
    """Each phase's unworkable days with the forecast's reason."""
    marks: dict[WeatherKey, dict[date, str]] = defaultdict(dict)
    for mark in board.weather:
        marks[(mark.job_id, str(mark.phase))][mark.day] = mark.reason
    return marks


def _day(board: Board, on: date, weather: dict[WeatherKey, dict[date, str]]) -> Day:
    closed = ""
    if on in board.holidays:
        closed = board.holidays[on]
    elif on not in board.working_days:
        closed = on.strftime("%A")
    sites = sum(1 for days in weather.values() if on in days)
    note = f"Weather stops work at {sites} site{'' if sites == 1 else 's'}" if sites else ""
    return Day(on, closed=closed, weather=note)


def _placement(
    entry: BoardEntry,
    changed: dict[WeatherKey, str],
    locked: set[uuid.UUID],
    weather: dict[WeatherKey, dict[date, str]],
) -> Placement:
    assert entry.starts_on is not None  # placed entries only
    key = (entry.job_id, str(entry.phase))
    ends_on = entry.ends_on or entry.starts_on
    stormy = {
        day: why for day, why in weather.get(key, {}).items() if entry.starts_on <= day <= ends_on
    }
    return Placement(
        job_id=entry.job_id,
        phase=str(entry.phase),
        job_number=entry.job_number,
        address=entry.address,
        starts_on=entry.starts_on,
        ends_on=ends_on,
        reason=entry.reason,
        locked=entry.locked or entry.job_id in locked,
        in_progress=entry.in_progress,
        change=changed.get(key, ""),
        weather=tuple(f"{day.strftime('%a %b %-d')}: {why}" for day, why in sorted(stormy.items())),
    )


def _crew_input(crew: BoardCrew, board: Board, placements: list[Placement]) -> CrewInput:
    return CrewInput(crew.id, crew.name, crew.color, crew.skills, placements, _off(crew, board))


def _off(crew: BoardCrew, board: Board) -> dict[date, str]:
    """The crew's days off: its time off, and open days that are not among its weekdays."""
    off = {
        on: "Not a working day"
        for on in board.working_days
        if str(on.isoweekday()) not in crew.working_weekdays
    }
    for mark in board.time_off:
        if mark.crew_id == crew.id:
            off.update(dict.fromkeys(_dates(mark.starts_on, mark.ends_on), OFF_LABELS[mark.kind]))
    return off


def _dates(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


@dataclass(frozen=True)
class ChangeRow:
    """A line of the difference table: what moves, from where to where, and why."""

    kind: str
    job_id: uuid.UUID
    job_number: str
    phase: str
    before: str
    after: str
    why: str


def change_rows(changes: Iterable[Change] | None) -> list[ChangeRow] | None:
    if changes is None:
        return None
    return [
        ChangeRow(
            str(c.kind),
            c.job_id,
            c.job_number,
            str(c.phase),
            _slot(c.before),
            _slot(c.after),
            c.why,
        )
        for c in changes
    ]


def _slot(slot: Slot | None) -> str:
    """'Crew A, Dec 7 to Dec 9'; empty when unscheduled."""
    if slot is None:
        return ""
    first, last = slot.starts_on.strftime("%b %-d"), slot.ends_on.strftime("%b %-d")
    return f"{slot.crew_name}, {first if first == last else f'{first} to {last}'}"
