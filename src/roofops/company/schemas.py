"""JSON shapes for company settings and the price list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, Field, field_validator

from roofops.company.currencies import ISO_4217
from roofops.kit.schemas import Dollars, DollarsFromCents, OrmModel, PatchModel, text
from roofops.models.enums import JobStage, JobType, Material


def _time_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"'{value}' is not an IANA time zone such as America/Denver") from exc
    return value


def _currency(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_4217:
        raise ValueError(f"'{value}' is not an ISO 4217 currency code such as USD")
    return code


TimeZone = Annotated[str, text(1, 64), AfterValidator(_time_zone)]
Currency = Annotated[str, AfterValidator(_currency), Field(description="ISO 4217 code")]


class CompanyOut(OrmModel):
    name: str
    time_zone: str
    currency: str
    is_demo: bool
    portal_invite_stage: JobStage | None
    updated_at: datetime


class CompanyUpdate(PatchModel):
    name: Annotated[str, text(1, 200)] | None = None
    time_zone: TimeZone | None = Field(default=None, description="IANA name, e.g. America/Denver")
    currency: Currency | None = None
    portal_invite_stage: JobStage | None = Field(
        default=None,
        description="a job reaching this stage sends its customer a portal link, once; null: off",
    )

    nullable: ClassVar[frozenset[str]] = frozenset({"portal_invite_stage"})


class PriceListEntryIn(BaseModel):
    job_type: JobType
    material: Material
    price_per_square: Dollars = Field(description="selling price per roofing square, dollars")


class PriceListEntryOut(OrmModel):
    job_type: JobType
    material: Material
    price_per_square: DollarsFromCents = Field(validation_alias="price_per_square_cents")


class PriceList(BaseModel):
    entries: list[PriceListEntryIn] = Field(max_length=len(JobType) * len(Material))

    @field_validator("entries")
    @classmethod
    def _one_per_pair(cls, entries: list[PriceListEntryIn]) -> list[PriceListEntryIn]:
        seen: set[tuple[JobType, Material]] = set()
        for entry in entries:
            pair = (entry.job_type, entry.material)
            if pair in seen:
                raise ValueError(f"{pair[0].value}/{pair[1].value} appears more than once")
            seen.add(pair)
        return entries


class PriceListOut(BaseModel):
    entries: list[PriceListEntryOut]
