"""Pydantic building blocks for the JSON edge: dollars, coordinates, e-mail, PATCH bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from roofops.kit.money import from_cents


def text(min_length: int, max_length: int) -> StringConstraints:
    """A trimmed string of bounded length, for ``Annotated[str, text(1, 200)]``."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Dollars = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2, description="dollars with at most two decimals"),
]


def _cents_to_dollars(value: object) -> object:
    return from_cents(value) if isinstance(value, int) else value


# Output side: read an integer cents attribute, show it as dollars.
DollarsFromCents = Annotated[Decimal, BeforeValidator(_cents_to_dollars)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="degrees north, -90 to 90")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="degrees east, -180 to 180")]


def _email_or_empty(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    value = value.strip().lower()
    if not value:
        return value
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


OptionalEmail = Annotated[
    str, Field(max_length=254, description="may be empty"), AfterValidator(_email_or_empty)
]
Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_email_or_empty)]


class OrmModel(BaseModel):
    """A response model read straight from ORM attributes."""

    model_config = ConfigDict(from_attributes=True)


class PatchModel(BaseModel):
    """A PATCH body: absent fields stay as they are; null only where a field may be empty."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
