"""JSON shapes for customers and their properties."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from roofops.kit.schemas import (
    Flag,
    Latitude,
    Longitude,
    OptionalEmail,
    OrmModel,
    PatchModel,
    text,
)

Name = Annotated[str, text(0, 100)]
Phone = Annotated[str, text(0, 40)]
Line = Annotated[str, text(1, 200)]
OptionalLine = Annotated[str, text(0, 200)]
City = Annotated[str, text(1, 100)]
State = Annotated[str, text(1, 40)]
PostalCode = Annotated[str, text(1, 20)]
Notes = Annotated[str, StringConstraints(max_length=10_000)]
Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
    Field(description="ISO 3166 two-letter country code"),
]


class PropertyCreate(BaseModel):
    address_line1: Line
    address_line2: OptionalLine = ""
    city: City
    state: State
    postal_code: PostalCode
    country: Country = "US"
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class PropertyUpdate(PatchModel):
    nullable = frozenset({"latitude", "longitude"})

    address_line1: Line | None = None
    address_line2: OptionalLine | None = None
    city: City | None = None
    state: State | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class PropertyRef(OrmModel):
    id: uuid.UUID
    one_line: str = Field(description="the address on one line")
    latitude: float | None
    longitude: float | None


class PropertyOut(PropertyRef):
    customer_id: uuid.UUID
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    created_at: datetime
    updated_at: datetime


class CustomerFields(BaseModel):
    first_name: Name = ""
    last_name: Name = ""
    company_name: OptionalLine = ""
    email: OptionalEmail = ""
    phone: Phone = ""
    is_commercial: Flag = False
    notes: Notes = ""


class CustomerCreate(CustomerFields):
    display_name: OptionalLine = Field(
        default="", description="defaults to the company name, else first and last name"
    )
    properties: list[PropertyCreate] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _default_display_name(self) -> Self:
        if not self.display_name:
            person = f"{self.first_name} {self.last_name}".strip()
            self.display_name = self.company_name or person
        if not self.display_name:
            raise ValueError("give a display_name, a company_name or a first or last name")
        return self


class CustomerUpdate(PatchModel):
    display_name: Line | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    company_name: OptionalLine | None = None
    email: OptionalEmail | None = None
    phone: Phone | None = None
    is_commercial: Flag | None = None
    notes: Notes | None = None


class CustomerRef(OrmModel):
    id: uuid.UUID
    display_name: str
    email: str
    phone: str


class CustomerOut(CustomerRef):
    first_name: str
    last_name: str
    company_name: str
    is_commercial: bool
    notes: str
    created_at: datetime
    updated_at: datetime


class CustomerDetail(CustomerOut):
    properties: list[PropertyOut]
