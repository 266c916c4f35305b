"""The error answers an API route can give, declared once for the OpenAPI document.

Every error leaves through roofops.errors in one envelope, so every declared status shares the
``ErrorOut`` schema; routes list only which statuses apply (``responses=errors(404, 409)``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

DESCRIPTIONS = {
    400: "The body could not be read: JSON nested too deep, or a body that is not what the "
    "route reads",
    401: "No valid credentials: sign in, or send `Authorization: Bearer <API token>`",
    403: "Your role may not do this (or a browser write lacks its CSRF token)",
    404: "Nothing with that id (or not yours to see)",
    409: "Conflicts with the current state: a duplicate, or a change the rules refuse",
    413: "The request body is larger than the server accepts",
    415: "The file is of a type the route does not store (told by its first bytes, not its name)",
    422: "A parameter or a field is invalid: `fields` says which and why",
}


class FieldError(BaseModel):
    field: str = Field(description="dotted path of the field, or `request`")
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="stable machine-readable reason, e.g. `not_found`")
    message: str = Field(description="for people")
    fields: list[FieldError] | None = Field(default=None, description="422 only")
    details: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for these error statuses, each with its description and the envelope."""
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS[status]} for status in statuses}
