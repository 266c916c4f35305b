"""Pydantic building blocks for the JSON edge: text, dollars, coordinates, e-mail, PATCH bodies.

JSON has numbers and booleans of its own, so the edge takes them only as such: ``"12"`` is not
a number and ``"yes"`` is not a boolean (``WholeNumber``, ``Flag``, ``number()``); money and
quantities (``decimal()``) also take the decimal string the API writes them as.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

import email_validator
from annotated_types import GroupedMetadata
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from roofops.exceptions import ValidationFailed
from roofops.kit.money import from_cents

ModelT = TypeVar("ModelT", bound=BaseModel)
NUL_REFUSED = "must not contain NUL (\\u0000) characters"


def refuse_nul(value: str) -> str:
    """PostgreSQL cannot store U+0000 in text, and no person types it: refused at every edge."""
    if "\x00" in value:
        raise ValueError(NUL_REFUSED)
    return value


@dataclass(frozen=True)
class text(GroupedMetadata):  # noqa: N801 (used like a constraint: Annotated[str, text(1, 200)])
    """A trimmed string of bounded length without NUL characters."""

    min_length: int
    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(
            strip_whitespace=True, min_length=self.min_length, max_length=self.max_length
        )
        yield AfterValidator(refuse_nul)


# The form the API writes money in ("1250.00"), so a client may send back what it read.
DECIMAL_TEXT = r"^-?[0-9]{1,20}(\.[0-9]{1,10})?$"


def _json_number(value: object) -> object:
    if isinstance(value, str | bool):
        raise ValueError("must be a JSON number, not a string or a boolean")
    return value


def _json_decimal(value: object) -> object:
    if isinstance(value, bool) or (
        isinstance(value, str) and not re.fullmatch(DECIMAL_TEXT, value)
    ):
        raise ValueError('must be a JSON number or a decimal string such as "1250.00"')
    return value


class _DocumentedAs:
    """Pydantic documents a Decimal as "a number or any string": say what is really taken."""

    def __init__(self, *, text_pattern: str | None) -> None:
        self.text_pattern = text_pattern

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented = handler(schema)
        options = documented.get("anyOf", [])
        numbers: list[JsonSchemaValue] = [
            option for option in options if option.get("type") == "number"
        ]
        if not numbers:
            return documented
        if self.text_pattern is None:
            return numbers[0]
        return {**documented, "anyOf": [*numbers, {"type": "string", "pattern": DECIMAL_TEXT}]}


class number(GroupedMetadata):  # noqa: N801 (used like a constraint: Annotated[float, number()])
    """A JSON number, never a string or a boolean; ``Field`` constraints (``ge``...) apply."""

    accepts_text = False

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __iter__(self) -> Iterator[object]:
        yield from Field(**self.constraints).metadata
        yield BeforeValidator(_json_decimal if self.accepts_text else _json_number)
        yield _DocumentedAs(text_pattern=DECIMAL_TEXT if self.accepts_text else None)


class decimal(number):  # noqa: N801
    """A Decimal: a JSON number or a decimal string such as "1250.00" (how the API answers)."""

    accepts_text = True


def _iso_text(value: object) -> object:
    """Dates and times as ISO 8601 text: never a bare number read as seconds since 1970."""
    if isinstance(value, int | float | bool) or (
        isinstance(value, str) and re.fullmatch(r"\s*[-+]?[0-9.]+\s*", value)
    ):
        raise ValueError("must be ISO 8601 text such as 2025-03-31 or 2025-03-31T14:00:00Z")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
WholeNumber = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
Dollars = Annotated[
    Decimal,
    decimal(ge=0, max_digits=14, decimal_places=2),
    Field(description="dollars with at most two decimals"),
]


def _cents_to_dollars(value: object) -> object:
    return from_cents(value) if isinstance(value, int) else value


# Output side: read an integer cents attribute, show it as dollars.
DollarsFromCents = Annotated[Decimal, BeforeValidator(_cents_to_dollars)]

MONEY_NOTE = "Money: null for roles without the view_money permission."


@dataclass(frozen=True)
class money:  # noqa: N801 (used like a constraint: Annotated[..., money("the price")])
    """Marks a response field as money, once, in its schema: ``without_money`` nulls every
    marked field, and the OpenAPI says so (``x-money`` and a note after the description)."""

    description: str = ""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        value = handler(schema)
        value["x-money"] = True
        value["description"] = f"{self.description}. {MONEY_NOTE}".lstrip(". ")
        return value


# A money figure in a response (who sees it: roofops.auth.permissions.MONEY_RULE); describe it
# with ``Annotated[MoneyOut, money("...")]``, not Field(description=...), which would hide the note.
MoneyOut = Annotated[DollarsFromCents | None, money()]


def money_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name
        for name, field in model.model_fields.items()
        if any(isinstance(mark, money) for mark in field.metadata)
    )


def without_money(model: ModelT) -> ModelT:
    """A copy with every money field null, in nested models and lists of them too."""
    update: dict[str, Any] = dict.fromkeys(money_fields(type(model)))
    for name in type(model).model_fields.keys() - update.keys():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            update[name] = without_money(value)
        elif isinstance(value, list) and any(isinstance(item, BaseModel) for item in value):
            update[name] = [
                without_money(item) if isinstance(item, BaseModel) else item for item in value
            ]
    return model.model_copy(update=update)


Latitude = Annotated[float, number(ge=-90, le=90), Field(description="degrees north, -90 to 90")]
Longitude = Annotated[
    float, number(ge=-180, le=180), Field(description="degrees east, -180 to 180")
]

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit, and the width of every e-mail column
# Internal networks (and our own first admin, admin@roofops.local) use .local addresses; the
# other special-use names (localhost, test, invalid, onion, arpa) never receive mail.
if "local" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("local")


def normalized_email(value: str) -> str:
    """The one rule for an account's or a customer's e-mail, in the API, the pages and the
    CLI: trimmed, lower-cased, valid syntax with a dotted domain (nothing is looked up)."""
    try:
        address = email_validator.validate_email(value.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValidationFailed(f"not a valid e-mail address: {exc}", field="email") from exc
    return address.normalized.lower()


def _email(value: str) -> str:
    try:
        return normalized_email(value)
    except ValidationFailed as exc:
        raise ValueError(exc.message) from exc


def _email_or_empty(value: str) -> str:
    return _email(value) if value.strip() else ""


OptionalEmail = Annotated[
    str,
    Field(max_length=MAX_EMAIL_LENGTH, description="may be empty"),
    AfterValidator(_email_or_empty),
]
Email = Annotated[str, Field(min_length=3, max_length=MAX_EMAIL_LENGTH), AfterValidator(_email)]


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
