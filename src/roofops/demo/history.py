"""Stage histories: the sales funnel, pre-production, crew calendars, production and close-out.

Every planned move is legal under :mod:`roofops.job.lifecycle`; histories are planned to their
end and then cut at the as-of moment, so recent jobs stay open in whatever stage they reached.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from roofops.demo import catalog
from roofops.demo.clock import add_roofing_days, at_local, local_day, office_day, roofing_day
from roofops.demo.demand import backlog_days
from roofops.demo.jobs import JobSpec, PlannedEvent
from roofops.demo.rand import between
from roofops.demo.records import CrewRow, HailEvent
from roofops.models.enums import JobStage, JobType, Material, Priority

OFFICE = "Office"
WINTER = (11, 12, 1, 2, 3)
STORM_SEASON = (5, 6, 7, 8)
WEATHER: dict[str, tuple[float, tuple[str, ...]]] = {
    "winter": (0.28, ("Snow on the roof", "Below 40 °F: shingles won't seal", "High wind")),
    "storm": (0.16, ("Rain delay", "Thunderstorms forecast", "High wind")),
    "other": (0.06, ("Rain delay", "High wind")),
}
# (fewest, most) working days per material for a residential roof; commercial may take 3x.
PRODUCTION_DAYS = {
    Material.ASPHALT_SHINGLE: (1, 3),
    Material.METAL: (2, 5),
    Material.TILE: (5, 14),
    Material.LOW_SLOPE_TPO: (1, 12),
}
WIN_ODDS = {
    (JobType.REROOF, False): 0.76,
    (JobType.REROOF, True): 0.82,
    (JobType.NEW_CONSTRUCTION, False): 0.6,
    (JobType.REPAIR, False): 0.85,
    (JobType.REPAIR, True): 0.85,
    (JobType.GUTTERS, False): 0.8,
    (JobType.GUTTERS, True): 0.85,
}
BRANCH_PREFERENCE = timedelta(days=3)
STORM_PAPERWORK_SHARE = 0.3


class Timeline:
    """Appends the planned events of one job, each after the previous one."""

    def __init__(self, rng: random.Random, spec: JobSpec) -> None:
        self.rng = rng
        self.spec = spec
        if not spec.events:
            spec.events.append(PlannedEvent(JobStage.LEAD, spec.lead_at, OFFICE))

    @property
    def last(self) -> datetime:
        return self.spec.events[-1].at

    def step(self, stage: JobStage, days: int, actor: str, reason: str = "") -> None:
        day = office_day(local_day(self.last) + timedelta(days=days))
        self.at(stage, at_local(day, between(self.rng, 7 * 60 + 30, 17 * 60 - 1)), actor, reason)

    def at(self, stage: JobStage, moment: datetime, actor: str, reason: str = "") -> None:
        if moment <= self.last:
            moment = self.last + timedelta(minutes=between(self.rng, 10, 119))
        self.spec.events.append(PlannedEvent(stage, moment, actor, reason))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def days(self, low: int, high: int) -> int:
        return between(self.rng, low, high)

    def lost(self, odds: float, reasons: str, days: int) -> bool:
        """With probability ``odds`` the lead is lost ``days`` later, for one of ``reasons``."""
        if not self.chance(odds):
            return False
        reason = self.rng.choice(catalog.LOST_REASONS[reasons])
        self.step(JobStage.LOST, days, self.spec.rep.name, reason)
        return True


def plan_sales(rng: random.Random, spec: JobSpec, hail: list[HailEvent]) -> None:
    """Lead to scheduled (or lost/cancelled); sets ``spec.ready_day`` when a crew is needed."""
    timeline = Timeline(rng, spec)
    if spec.job_type == JobType.INSPECTION:
        _inspection(timeline)
    elif spec.job_type == JobType.REPAIR:
        _repair(timeline, hail)
    elif spec.job_type == JobType.GUTTERS:
        _gutters(timeline, hail)
    else:
        _reroof(timeline, hail)


def _win_odds(spec: JobSpec) -> float:
    return min(0.95, max(0.3, WIN_ODDS[(spec.job_type, spec.insured)] * spec.rep.close_factor))


def _reroof(t: Timeline, hail: list[HailEvent]) -> None:
    spec, rep = t.spec, t.spec.rep.name
    storm = spec.hail is not None
    if t.lost(0.05, "lead", t.days(3, 14)):
        return
    if spec.job_type != JobType.NEW_CONSTRUCTION:
        t.step(JobStage.INSPECTION, t.days(2, 12) if storm else t.days(1, 6), rep)
        reasons = "storm_inspection" if storm else "inspection"
        if t.lost(0.16 if storm else 0.08, reasons, t.days(0, 3)):
            return
    t.step(JobStage.ESTIMATE, t.days(2, 7) if spec.insured else t.days(0, 3), rep)
    # Insurance work waits on the adjuster's meeting and the carrier's scope.
    decision = t.days(14, 45) if spec.insured else t.days(3, 21)
    reasons = "storm_estimate" if spec.insured else "estimate"
    if t.lost(1 - _win_odds(spec), reasons, decision):
        return
    t.step(JobStage.CONTRACT_SIGNED, decision, rep)
    _pre_production(t, hail, materials=True)


def _repair(t: Timeline, hail: list[HailEvent]) -> None:
    rep = t.spec.rep.name
    if t.lost(0.05, "lead", t.days(2, 10)):
        return
    if t.chance(0.45):  # sold on the spot
        t.step(JobStage.CONTRACT_SIGNED, t.days(0, 3), rep)
    else:
        t.step(JobStage.INSPECTION, t.days(0, 4), rep)
        reasons = "storm_inspection" if t.spec.hail else "inspection"
        if t.lost(0.12, reasons, t.days(0, 2)):
            return
        t.step(JobStage.ESTIMATE, t.days(0, 2), rep)
        if t.lost(1 - _win_odds(t.spec), "estimate", t.days(2, 14)):
            return
        t.step(JobStage.CONTRACT_SIGNED, t.days(1, 7), rep)
    _pre_production(t, hail, materials=False)


def _gutters(t: Timeline, hail: list[HailEvent]) -> None:
    if t.lost(0.06, "lead", t.days(3, 14)):
        return
    t.step(JobStage.ESTIMATE, t.days(1, 6), t.spec.rep.name)
    if t.lost(1 - _win_odds(t.spec), "estimate", t.days(3, 21)):
        return
    t.step(JobStage.CONTRACT_SIGNED, t.days(2, 14), t.spec.rep.name)
    _pre_production(t, hail, materials=True)


def _inspection(t: Timeline) -> None:
    """A paid certification: the rep inspects, no crew goes up."""
    if t.lost(0.04, "lead", t.days(1, 7)):
        return
    t.step(JobStage.CONTRACT_SIGNED, t.days(0, 2), OFFICE)
    t.step(JobStage.SCHEDULED, t.days(0, 2), OFFICE)
    t.step(JobStage.COMPLETED, t.days(1, 5), t.spec.rep.name)
    close_out(t)


def _pre_production(t: Timeline, hail: list[HailEvent], *, materials: bool) -> None:
    spec = t.spec
    if t.chance(0.025):
        t.step(JobStage.CANCELLED, t.days(1, 10), OFFICE, t.rng.choice(catalog.CANCEL_REASONS))
        return
    if materials:
        # Insurance jobs wait for the ACV cheque and supplements before ordering.
        t.step(JobStage.MATERIALS_ORDERED, t.days(3, 14) if spec.insured else t.days(1, 6), OFFICE)
    t.step(JobStage.SCHEDULED, t.days(1, 6), OFFICE)
    if materials and t.chance(0.02):
        t.step(JobStage.MATERIALS_ORDERED, t.days(1, 4), OFFICE, "Supplier backorder: re-ordered")
        t.step(JobStage.SCHEDULED, t.days(5, 12), OFFICE)
    ready = local_day(t.last)
    # A storm's backlog is the crews' queue (book_crews): storm work signed ahead of this job.
    # What the queue does not show is the swamped adjusters: after hail, an insurance job's
    # supplements and cheques come slower. The draws stay the same for every job, so the other
    # jobs' histories do not shift.
    swamped = backlog_days(ready, hail) * t.rng.uniform(0.5, 1.0) * STORM_PAPERWORK_SHARE
    lead_time = t.days(2, 8)
    if spec.job_type == JobType.REPAIR and spec.priority == Priority.URGENT:
        lead_time = lead_time // 4  # a leak gets the next free crew, not a slot next week
    spec.ready_day = ready + timedelta(days=lead_time + round(swamped if spec.insured else 0.0))


def book_crews(
    rng: random.Random,
    specs: list[JobSpec],
    crews: list[CrewRow],
    skills: dict[uuid.UUID, set[str]],
) -> None:
    """Give each job the fitting crew that can start first (home branch preferred)."""
    calendar = _Calendar(crews, skills)
    waiting = [spec for spec in specs if spec.ready_day is not None]
    for spec in sorted(waiting, key=lambda s: (s.ready_day, int(s.number))):
        crew, start = calendar.first_free(spec)
        end = _produce(Timeline(rng, spec), crews[crew], start)
        calendar.free[crew] = add_roofing_days(end, 1)
        spec.crew_id = crews[crew].id
        close_out(Timeline(rng, spec))


class _Calendar:
    """When each crew is next free; crews and branches by list index (this loop is hot)."""

    def __init__(self, crews: list[CrewRow], skills: dict[uuid.UUID, set[str]]) -> None:
        branch_ids = dict.fromkeys(crew.branch_id for crew in crews)
        self.branches = {branch_id: index for index, branch_id in enumerate(branch_ids)}
        self.crew_branch = [self.branches[crew.branch_id] for crew in crews]
        self.free = [date.min] * len(crews)
        self.by_skill: dict[str, list[int]] = defaultdict(list)
        for index, crew in enumerate(crews):
            for skill in skills[crew.id]:
                self.by_skill[skill].append(index)

    def first_free(self, spec: JobSpec) -> tuple[int, date]:
        assert spec.ready_day is not None
        assert spec.branch is not None
        ready, home = spec.ready_day, self.branches.get(spec.branch.id)
        best, best_start = -1, date.max
        for crew in self.by_skill[spec.required_skill or ""]:
            start = max(ready, self.free[crew])
            if self.crew_branch[crew] != home:
                start += BRANCH_PREFERENCE
            if start < best_start:
                best, best_start = crew, start
        return best, roofing_day(max(ready, self.free[best]))


def _produce(t: Timeline, crew: CrewRow, start: date) -> date:
    """In production on ``start`` (weather permitting), completed after the working days."""
    delay = _weather(t.rng, start)
    if delay:
        pushed = t.days(1, 3)
        start = add_roofing_days(start, pushed)
        delay = f"Start pushed {pushed} day(s): {delay}"
    t.at(JobStage.IN_PRODUCTION, at_local(start, t.days(7 * 60, 9 * 60)), crew.name, delay or "")
    days = _working_days(t.rng, t.spec, crew)
    stall = _weather(t.rng, start) if days > 1 else None
    end = add_roofing_days(start, days - 1 + (1 if stall else 0))
    # A one-day repair or gutter job is done by early afternoon; roofs finish late.
    short = days == 1 and t.spec.job_type != JobType.REROOF
    finish = t.days(11 * 60, 15 * 60) if short else t.days(14 * 60, 17 * 60 - 1)
    t.at(JobStage.COMPLETED, at_local(end, finish), crew.name, f"{stall}: +1 day" if stall else "")
    return end


def _working_days(rng: random.Random, spec: JobSpec, crew: CrewRow) -> int:
    if (
        spec.squares is None
        or spec.material not in PRODUCTION_DAYS
        or spec.job_type == JobType.REPAIR
    ):
        return 1
    low, high = PRODUCTION_DAYS[spec.material]
    if spec.commercial:
        high *= 3
    needed = math.ceil(float(spec.squares) * rng.uniform(1.0, 1.35) / crew.capacity_squares_per_day)
    return min(high, max(low, needed))


def _weather(rng: random.Random, day: date) -> str | None:
    season = "winter" if day.month in WINTER else "storm" if day.month in STORM_SEASON else "other"
    odds, reasons = WEATHER[season]
    return rng.choice(reasons) if rng.random() < odds else None


def close_out(t: Timeline) -> None:
    """Invoice after completion; insurance pays the depreciation weeks after the proof."""
    insured = t.spec.insured
    t.step(JobStage.INVOICED, t.days(1, 5) if insured else t.days(0, 3), OFFICE)
    if insured:
        wait = t.days(20, 75)
    elif t.chance(0.04):  # the slow payer every contractor has
        wait = t.days(45, 120)
    else:
        wait = t.days(3, 30)
    t.step(JobStage.PAID, wait, OFFICE)
