"""Form bodies of the settings pages, validated like the API's JSON bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ValidationError

from roofops.company.schemas import PriceListEntryIn
from roofops.exceptions import ValidationFailed
from roofops.kit.schemas import refuse_nul
from roofops.models.enums import JobType, Material
from roofops.web.formatting import humanize

# The edge refuses NUL in URL-encoded forms; a form posted as multipart meets it here.
FormText = Annotated[str, AfterValidator(refuse_nul)]


def price_field(job_type: JobType, material: Material) -> str:
    return f"price__{job_type.value}__{material.value}"


def price_entries(form: Mapping[str, str]) -> list[PriceListEntryIn]:
    """One entry per filled-in cell of the job type x material grid; blank cells have no price."""
    cells = ((job_type, material) for job_type in JobType for material in Material)
    return [
        _price_entry(job_type, material, value)
        for job_type, material in cells
        if (value := form.get(price_field(job_type, material), "").strip())
    ]


def _price_entry(job_type: JobType, material: Material, value: str) -> PriceListEntryIn:
    try:
        return PriceListEntryIn.model_validate(
            {"job_type": job_type, "material": material, "price_per_square": value}
        )
    except ValidationError as exc:
        cell = f"{humanize(job_type)} / {humanize(material)}"
        raise ValidationFailed(f"price for {cell}: {exc.errors()[0]['msg']}") from exc


def readable(error: ValidationError) -> ValidationFailed:
    """A pydantic error as one sentence a person can act on."""
    parts = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "value"
        parts.append(f"{field.replace('_', ' ')}: {item['msg']}")
    return ValidationFailed("; ".join(parts))


class LoginForm(BaseModel):
    """Raw strings: a bad sign-in is answered on the form, never with a validation error page."""

    email: str = ""
    password: str = ""
    csrf_token: str = ""
    next: str = ""


class MoveForm(BaseModel):
    stage: FormText = ""
    reason: FormText = ""


class CompanyForm(BaseModel):
    name: FormText = ""
    time_zone: FormText = ""
    currency: FormText = ""
    portal_invite_stage: FormText = ""  # empty: no automatic portal links

    def as_update(self) -> dict[str, str | None]:
        values: dict[str, str | None] = {**self.model_dump()}
        values["portal_invite_stage"] = self.portal_invite_stage or None
        return values


class PortalLinkForm(BaseModel):
    email: FormText = ""  # empty: the customer's own


class NewUserForm(BaseModel):
    email: FormText = ""
    full_name: FormText = ""
    role: FormText = ""


class StatusMapForm(BaseModel):
    status_name: FormText = ""
    stage: FormText = ""
