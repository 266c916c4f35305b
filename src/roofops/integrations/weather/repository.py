"""Queries of the weather forecasts: the stored days of grid cells, their upsert, and the job
sites a refresh covers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from roofops.kit.repository import Repository, in_chunks
from roofops.models.dispatch import WeatherForecast
from roofops.models.enums import JobStage
from roofops.models.job import Job
from roofops.models.property import Property

Cell = tuple[float, float]
# The stages whose roofs are about to be (or being) worked: what a refresh keeps forecasts for.
WORKED_SOON = (
    JobStage.CONTRACT_SIGNED,
    JobStage.MATERIALS_ORDERED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
)
UPDATED_COLUMNS = (
    "precipitation_mm",
    "precipitation_probability",
    "wind_max_mph",
    "gust_max_mph",
    "temp_min_f",
    "temp_max_f",
    "source",
    "fetched_at",
)


class ForecastRepository(Repository[WeatherForecast]):
    model = WeatherForecast

    def upsert(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert or overwrite each (cell, day) row, in one statement per chunk."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # Each row binds 11 values: keep a chunk well below SQLite's bound-parameter limit.
        for start in range(0, len(rows), 500):
            chunk = [{"id": uuid.uuid4(), **row} for row in rows[start : start + 500]]
            statement = insert(WeatherForecast).values(chunk)
            self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["latitude", "longitude", "on"],
                    set_={name: statement.excluded[name] for name in UPDATED_COLUMNS},
                )
            )
        # Forecast rows loaded before now hold the old values; nothing else is touched.
        for loaded in list(self.session.identity_map.values()):
            if isinstance(loaded, WeatherForecast):
                self.session.expire(loaded)

    def for_cells(self, cells: Iterable[Cell], first: date, last: date) -> list[WeatherForecast]:
        """Stored days of ``cells`` from ``first`` to ``last`` inclusive."""
        wanted = set(cells)
        rows: list[WeatherForecast] = []
        for latitudes in in_chunks(latitude for latitude, _ in wanted):
            statement = sa.select(WeatherForecast).where(
                WeatherForecast.latitude.in_(latitudes),
                WeatherForecast.on.between(first, last),
            )
            rows.extend(
                row
                for row in self.session.scalars(statement)
                if (row.latitude, row.longitude) in wanted
            )
        return rows

    def prune(self, before: date) -> int:
        """Forget days before ``before``: past weather plans nothing."""
        result = self.session.execute(sa.delete(WeatherForecast).where(WeatherForecast.on < before))
        return result.rowcount  # type: ignore[attr-defined, no-any-return]


def worked_soon_sites(session: Session) -> list[Cell]:
    """Coordinates of the properties of jobs about to be worked (those with coordinates)."""
    statement = (
        sa.select(Property.latitude, Property.longitude)
        .join(Job, Job.property_id == Property.id)
        .where(
            Job.stage.in_(WORKED_SOON),
            Property.latitude.is_not(None),
            Property.longitude.is_not(None),
        )
        .distinct()
    )
    return [
        (latitude, longitude)
        for latitude, longitude in session.execute(statement)
        if latitude is not None and longitude is not None
    ]
