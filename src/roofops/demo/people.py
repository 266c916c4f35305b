"""Customers and their properties: names, contacts and street addresses across the metro."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from roofops.demo import catalog
from roofops.demo.catalog import CITIES, City
from roofops.demo.rand import new_uuid
from roofops.demo.records import CustomerRow, PropertyRow

_CITY_WEIGHTS = [city.weight for city in CITIES]
CITY_BY_NAME = {city.name: city for city in CITIES}


def person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)


def phone(rng: random.Random) -> str:
    return f"({rng.choice(catalog.AREA_CODES)}) 555-01{rng.randrange(100):02d}"


def point_near(
    rng: random.Random, latitude: float, longitude: float, radius_km: float
) -> tuple[float, float]:
    """A uniform point in a disc, clamped to the metro box."""
    distance = radius_km * math.sqrt(rng.random())
    angle = rng.uniform(0.0, 2.0 * math.pi)
    south, north, west, east = catalog.METRO_BOUNDS
    lat = latitude + distance * math.sin(angle) / catalog.KM_PER_DEGREE_LAT
    lon = longitude + distance * math.cos(angle) / catalog.KM_PER_DEGREE_LON
    return round(min(max(lat, south), north), 6), round(min(max(lon, west), east), 6)


@dataclass
class Customers:
    """Customers and properties created so far; repeat business reuses earlier ones."""

    rng: random.Random
    customers: list[CustomerRow] = field(default_factory=list)
    properties: list[PropertyRow] = field(default_factory=list)
    residential: list[PropertyRow] = field(default_factory=list)
    commercial: list[CustomerRow] = field(default_factory=list)
    owned: dict[uuid.UUID, list[PropertyRow]] = field(default_factory=dict)

    def for_job(
        self,
        at: datetime,
        *,
        commercial: bool,
        cities: tuple[str, ...] | None,
        builder: bool = False,
    ) -> PropertyRow:
        """The property a new job is at: a repeat customer's, or a new customer's."""
        rng = self.rng
        if commercial and not builder and self.commercial and rng.random() < 0.4:
            owner = rng.choice(self.commercial)
            owned = self.owned[owner.id]
            return rng.choice(owned) if rng.random() < 0.5 else self._property(owner, at, cities)
        if not commercial and cities is None and self.residential and rng.random() < 0.12:
            return rng.choice(self.residential)
        owner = self._customer(at, commercial=commercial, builder=builder)
        prop = self._property(owner, at, cities)
        if not commercial:
            self.residential.append(prop)
        return prop

    def _customer(self, at: datetime, *, commercial: bool, builder: bool) -> CustomerRow:
        rng = self.rng
        first, last = person_name(rng)
        company = self._company_name(last, builder) if commercial else ""
        email = f"{first}.{last}{rng.randrange(10, 99)}@{rng.choice(catalog.EMAIL_DOMAINS)}"
        customer = CustomerRow(
            id=new_uuid(rng),
            display_name=company or f"{first} {last}",
            first_name=first,
            last_name=last,
            company_name=company,
            email=email.lower(),
            phone=phone(rng),
            is_commercial=commercial,
            created_at=at,
            updated_at=at,
        )
        self.customers.append(customer)
        if commercial and not builder:
            self.commercial.append(customer)
        return customer

    def _company_name(self, last: str, builder: bool) -> str:
        rng = self.rng
        if builder:
            return f"{last} Custom Homes"
        pattern = rng.choice(catalog.COMMERCIAL_NAME_PATTERNS)
        return pattern.format(
            last=last,
            street=rng.choice(catalog.SUBURBAN_NAMES),
            city=rng.choice(CITIES).name,
            trade=rng.choice(catalog.COMMERCIAL_TRADES),
        )

    def _property(
        self, owner: CustomerRow, at: datetime, cities: tuple[str, ...] | None
    ) -> PropertyRow:
        rng = self.rng
        city = self._city(cities)
        latitude, longitude = point_near(rng, city.latitude, city.longitude, city.radius_km)
        prop = PropertyRow(
            id=new_uuid(rng),
            customer_id=owner.id,
            address_line1=street_address(rng, city),
            city=city.name,
            state="CO",
            postal_code=rng.choice(city.zip_codes),
            latitude=latitude,
            longitude=longitude,
            created_at=at,
            updated_at=at,
        )
        self.properties.append(prop)
        self.owned.setdefault(owner.id, []).append(prop)
        return prop

    def _city(self, cities: tuple[str, ...] | None) -> City:
        if not cities:
            return self.rng.choices(CITIES, weights=_CITY_WEIGHTS)[0]
        pool = [CITY_BY_NAME[name] for name in cities]
        return self.rng.choices(pool, weights=[city.weight for city in pool])[0]


def street_address(rng: random.Random, city: City) -> str:
    """Denver's numbered avenues and named streets; cul-de-sacs and drives in the suburbs."""
    style = rng.random()
    if style < 0.35:
        avenue = rng.randrange(1, 120)
        suffix = (
            "th" if 10 <= avenue % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(avenue % 10, "th")
        )
        return f"{rng.randrange(100, 15999)} {rng.choice('EW')} {avenue}{suffix} Ave"
    if style < 0.65 or city.name == "Denver":
        street = rng.choice(catalog.NAMED_STREETS + catalog.STREET_NAMES)
        kind = "St" if street in catalog.NAMED_STREETS else "Ave"
        return f"{rng.randrange(100, 9999)} {rng.choice('NSEW')} {street} {kind}"
    name = rng.choice(catalog.SUBURBAN_NAMES)
    return f"{rng.randrange(1000, 19999)} {name} {rng.choice(catalog.SUBURBAN_SUFFIXES)}"
