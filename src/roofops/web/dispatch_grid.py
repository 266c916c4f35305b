"""The dispatch board's grid: crews by days, each placement one cell spanning its days.

A table cell spans its days (``colspan``) because the page's CSP forbids inline styles; a crew
whose placements overlap (a draft being rearranged) gets another lane (table row) rather than
hiding one placement under another."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Day:
    """A column: its date, and why no production work is planned on it (weekend, holiday)."""

    on: date
    closed: str = ""  # "Saturday", "Independence Day": shaded, nothing planned
    weather: str = ""  # the forecast's reason when some sites cannot be worked that day

    @property
    def label(self) -> str:
        return self.on.strftime("%a %-d")


@dataclass(frozen=True)
class Placement:
    """A schedule entry as the board shows it (the draft's when there is one)."""

    job_id: uuid.UUID
    phase: str
    job_number: str
    address: str
    starts_on: date
    ends_on: date
    reason: str  # why it is here: the scheduler's or the dispatcher's words
    locked: bool = False
    in_progress: bool = False
    change: str = ""  # "moved" or "added" in a draft against the published plan
    weather: tuple[str, ...] = ()  # "Tue Dec 8: rain 80 %" for days of it work cannot go on

    @property
    def key(self) -> str:
        return f"{self.job_id}:{self.phase}"


@dataclass(frozen=True)
class Cell:
    day: Day
    span: int = 1
    placement: Placement | None = None
    off: str = ""  # the crew's time off that day, or during the placement ("Sick", "Crew out")


@dataclass(frozen=True)
class CrewRow:
    crew_id: uuid.UUID
    name: str
    color: str
    skills: tuple[str, ...]
    lanes: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class CrewInput:
    """What the grid needs of a crew: its placements and the days it is off, with the kind."""

    crew_id: uuid.UUID
    name: str
    color: str
    skills: tuple[str, ...]
    placements: Sequence[Placement] = ()
    off: Mapping[date, str] = field(default_factory=dict)


def crew_row(crew: CrewInput, days: Sequence[Day]) -> CrewRow:
    """One crew's lanes: at least one (an empty row is where work can be dropped)."""
    lanes = _lanes(crew.placements, days[0].on, days[-1].on) or [[]]
    cells = tuple(tuple(_cells(lane, days, crew.off)) for lane in lanes)
    return CrewRow(crew.crew_id, crew.name, crew.color, crew.skills, cells)


def _lanes(placements: Iterable[Placement], first: date, last: date) -> list[list[Placement]]:
    """Placements in the window, first-fit into lanes where none overlaps another."""
    lanes: list[list[Placement]] = []
    shown = (p for p in placements if p.ends_on >= first and p.starts_on <= last)
    for placement in sorted(shown, key=lambda p: (p.starts_on, p.ends_on, p.job_number)):
        lane = next((lane for lane in lanes if lane[-1].ends_on < placement.starts_on), None)
        if lane is None:
            lanes.append([placement])
        else:
            lane.append(placement)
    return lanes


def _cells(lane: Sequence[Placement], days: Sequence[Day], off: Mapping[date, str]) -> list[Cell]:
    starts = {max(p.starts_on, days[0].on): p for p in lane}
    cells: list[Cell] = []
    index = 0
    while index < len(days):
        day = days[index]
        placement = starts.get(day.on)
        if placement is None:
            cells.append(Cell(day, off=off.get(day.on, "")))
            index += 1
            continue
        span = sum(1 for d in days[index:] if d.on <= placement.ends_on)
        labels = dict.fromkeys(off[d.on] for d in days[index : index + span] if d.on in off)
        cells.append(Cell(day, span, placement, ", ".join(labels)))
        index += span
    return cells
