"""How the Command Center words and counts the operations snapshot: state labels and their
definitions (the hover text), the counts per state, the map's markers as JSON for Leaflet."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from roofops.field.results import CrewState
from roofops.operations.results import AlertKind, OperationsSnapshot

STATES: dict[CrewState, tuple[str, str]] = {
    CrewState.SCHEDULED: (
        "Scheduled",
        "Work planned today in the published plan; nothing reported yet.",
    ),
    CrewState.EN_ROUTE: ("En route", "The crew lead reported the crew on its way to a job."),
    CrewState.ON_SITE: ("On site", "The crew lead pressed Start work: the crew is working a job."),
    CrewState.FINISHED: (
        "Finished",
        "The crew finished today's work (the job itself may go on tomorrow).",
    ),
    CrewState.BLOCKED: (
        "Blocked",
        "The crew reported a problem it cannot work past (weather, materials, access).",
    ),
    CrewState.OFF: ("Off", "No work today: time off, a holiday or not one of its working days."),
    CrewState.IDLE: ("Idle", "A working day with nothing planned for the crew."),
}
# The five states of a working crew, in the order the day goes; off and idle are counted apart.
WORKING_STATES = (
    CrewState.SCHEDULED,
    CrewState.EN_ROUTE,
    CrewState.ON_SITE,
    CrewState.FINISHED,
    CrewState.BLOCKED,
)
ALERT_KINDS: dict[AlertKind, tuple[str, str]] = {
    AlertKind.WEATHER: (
        "Weather",
        "Work scheduled today or tomorrow on a day the site's weather rules stop it.",
    ),
    AlertKind.LATE: (
        "Running late",
        "An unfinished job past its promised date, the end of its planned work, or the "
        "forecast's 90th-percentile finish.",
    ),
    AlertKind.UNASSIGNED: (
        "No crew",
        "Urgent work with no crew on the job, in the published schedule or on a route.",
    ),
    AlertKind.SYNC_FAILED: ("Sync failed", "A connection's most recent sync run failed."),
    AlertKind.OVERDUE_INVOICE: (
        "Overdue invoices",
        "Sent or partly paid invoices past their due date with money still owed.",
    ),
}


def live_query(snapshot: OperationsSnapshot) -> str:
    """The query string that re-reads this snapshot's day and branch."""
    params = {"day": snapshot.day.isoformat()}
    if snapshot.branch_id is not None:
        params["branch_id"] = str(snapshot.branch_id)
    return urlencode(params)


def state_counts(snapshot: OperationsSnapshot) -> list[tuple[CrewState, int]]:
    counted = dict.fromkeys(CrewState, 0)
    for crew in snapshot.crews:
        counted[crew.state] += 1
    return [(state, counted[state]) for state in WORKING_STATES]


def map_data(snapshot: OperationsSnapshot) -> list[dict[str, Any]]:
    """The markers for command-center.js: plain values, no HTML (it builds the DOM itself)."""
    return [
        {
            "kind": point.kind,
            "label": point.label,
            "lat": point.latitude,
            "lon": point.longitude,
            "link": point.link,
            "state": point.state,
            "state_label": STATES[CrewState(point.state)][0] if point.state else "",
            "colour": point.colour,
            "crews": list(point.crew_names),
        }
        for point in snapshot.map_points
    ]
