"""Where day routes get travel times: the routing engine's straight-line estimate by default,
or a road-network provider the composition root connects (``ROOFOPS_TRAVEL_PROVIDER=osrm``).

The dispatch domain may not import a vendor client (integrations are reached only from the
composition roots), so the OSRM client is handed in through :func:`connect_travel_times`, the
way the invoice service is handed its accounting port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roofops.engines.routing.model import TravelMatrix
    from roofops.engines.routing.travel import Point, TravelTimeProvider

_connected: list[TravelTimeProvider] = []


def connect_travel_times(provider: TravelTimeProvider) -> None:
    """Use ``provider`` for every day route from now on (once per process, at start-up)."""
    _connected[:] = [provider]


def disconnect_travel_times() -> None:
    """Back to the straight-line estimate (tests, and a process that drops OSRM)."""
    _connected.clear()


def travel_matrix(points: Sequence[Point]) -> TravelMatrix:
    """The travel matrix over ``points`` from the connected provider, else straight lines."""
    return _provider().matrix(points)


def _provider() -> TravelTimeProvider:
    if _connected:
        return _connected[0]
    from roofops.engines.routing.travel import StraightLineTravel

    return StraightLineTravel()
