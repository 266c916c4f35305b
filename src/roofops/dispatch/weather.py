"""The weather seam: which days a site cannot be worked, and why.

The dispatch domain never reaches a weather vendor itself (integrations are wired in at the
composition root): it asks a `WeatherOutlook`. The default one knows no weather, so every day is
workable until the forecast-reading outlook is connected with `dispatch_service.connect_weather`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import NamedTuple, Protocol

from sqlalchemy.orm import Session

from roofops.models.dispatch import Phase
from roofops.models.enums import Material


class WorkSite(NamedTuple):
    """A job site to be worked, and the material that decides which weather stops the work."""

    key: str  # the caller's key for the site: the job id as a string
    latitude: float
    longitude: float
    material: Material


# (site key, day) -> the reason sentence: "rain 80 %", "gusts 31 mph", "26 F low: ...".
UnworkableDays = Mapping[tuple[str, date], str]


def material_for(job_material: Material, phase: Phase) -> Material:
    """What is being put on the building in this phase (the weather rules are per material)."""
    return Material.GUTTERS if phase == Phase.GUTTERS else job_material


class WeatherOutlook(Protocol):
    def unworkable_days(
        self, session: Session, sites_with_material: Sequence[WorkSite], days: Sequence[date]
    ) -> UnworkableDays:
        """The (site, day) pairs among ``days`` where the site cannot be worked, with why.
        Days without a forecast are workable (say so in reasons elsewhere, not here)."""
        ...


class NoWeather:
    """Every day is workable: the outlook before a forecast source is connected."""

    def unworkable_days(
        self,
        session: Session,  # noqa: ARG002 (part of the WeatherOutlook protocol)
        sites_with_material: Sequence[WorkSite],  # noqa: ARG002
        days: Sequence[date],  # noqa: ARG002
    ) -> UnworkableDays:
        return {}
