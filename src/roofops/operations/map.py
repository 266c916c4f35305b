"""The map of today's work: a marker per job site a crew works today (the crew's colour, its
state) and one per branch yard."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from roofops.field.results import CrewDayState, CrewState, PlannedWork
from roofops.models.branch import Branch
from roofops.operations.results import MapPoint

# When two crews share a site, the marker shows the state that most needs an eye on it.
STATE_WEIGHT = {
    CrewState.BLOCKED: 0,
    CrewState.ON_SITE: 1,
    CrewState.EN_ROUTE: 2,
    CrewState.SCHEDULED: 3,
    CrewState.FINISHED: 4,
}


def map_points(crews: Sequence[CrewDayState], yards: Sequence[Branch]) -> tuple[MapPoint, ...]:
    sites: dict[uuid.UUID, MapPoint] = {}
    for crew in crews:
        for work in crew.planned:
            point = _site(crew, work)
            if point is not None:
                sites[work.job_id] = _merge(sites.get(work.job_id), point)
    return (*sites.values(), *(_yard(branch) for branch in yards))


def _site(crew: CrewDayState, work: PlannedWork) -> MapPoint | None:
    if work.latitude is None or work.longitude is None:
        return None
    # The crew's state is about the job it last reported on; its other jobs today wait.
    state = crew.state if work.job_id == crew.job_id else CrewState.SCHEDULED
    return MapPoint(
        kind="job",
        label=f"{work.job_number} · {work.job_name}",
        latitude=work.latitude,
        longitude=work.longitude,
        link=f"/jobs/{work.job_id}",
        state=state.value,
        colour=crew.color,
        crew_names=(crew.crew_name,),
    )


def _merge(known: MapPoint | None, point: MapPoint) -> MapPoint:
    if known is None:
        return point
    first, second = sorted((known, point), key=lambda p: STATE_WEIGHT[CrewState(p.state)])
    return MapPoint(
        kind=first.kind,
        label=first.label,
        latitude=first.latitude,
        longitude=first.longitude,
        link=first.link,
        state=first.state,
        colour=first.colour,
        crew_names=(*first.crew_names, *second.crew_names),
    )


def _yard(branch: Branch) -> MapPoint:
    return MapPoint(
        kind="yard",
        label=f"{branch.name} yard",
        latitude=branch.latitude or 0.0,  # never 0.0: the yards query keeps located ones only
        longitude=branch.longitude or 0.0,
        link=f"/command-center?branch_id={branch.id}",
    )
