"""Where day routes get travel times: the routing engine's straight-line estimate by default,
or a road-network provider the composition root connects (``ROOFOPS_TRAVEL_PROVIDER=osrm``).

The dispatch domain may not import a vendor client (integrations are reached only from the
composition roots), so the OSRM client is handed in through :func:`connect_travel_times`, the
way the invoice service is handed its accounting port.

A road-network provider that fails (down, rate-limited, refusing) does not stop the dispatcher:
the day is routed on straight-line estimates and the plan's note says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from roofops.exceptions import RoofOpsError
from roofops.logging import get_logger

if TYPE_CHECKING:
    from roofops.engines.routing.model import TravelMatrix
    from roofops.engines.routing.travel import Point, TravelTimeProvider

log = get_logger(__name__)
_connected: list[TravelTimeProvider] = []


@dataclass(frozen=True)
class Travel:
    matrix: TravelMatrix
    note: str = ""  # why the straight-line estimate stood in, when it did


def connect_travel_times(provider: TravelTimeProvider) -> None:
    """Use ``provider`` for every day route from now on (once per process, at start-up)."""
    _connected[:] = [provider]


def disconnect_travel_times() -> None:
    """Back to the straight-line estimate (tests, and a process that drops OSRM)."""
    _connected.clear()


def travel_matrix(points: Sequence[Point]) -> Travel:
    """The travel matrix over ``points`` from the connected provider, else straight lines."""
    from roofops.engines.routing.travel import StraightLineTravel

    if not _connected:
        return Travel(StraightLineTravel().matrix(points))
    try:
        return Travel(_connected[0].matrix(points))
    except RoofOpsError as failed:  # a vendor error (kit.http) or a refused request
        log.warning("dispatch.travel.fallback", reason=failed.message)
        note = f"road travel times unavailable ({failed.message}): straight-line estimates used"
        return Travel(StraightLineTravel().matrix(points), note)
