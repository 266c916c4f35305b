"""Tracking options (spec: ``PUT /TrackingCategories/{TrackingCategoryID}/Options``)."""

from __future__ import annotations

from roofops.sandbox.xero import errors
from roofops.sandbox.xero.store import Books, Entity

MAX_OPTION_NAME = 100


def tracking_option(books: Books, category_id: str, body: Entity) -> Entity:
    """``PUT /TrackingCategories/{id}/Options``: a new option, its name unique in the category
    and at most 100 characters, as Xero has it."""
    name = str(body.get("Name") or "").strip()
    category = next((c for c in books.tracking if c["TrackingCategoryID"] == category_id), None)
    if category is None:
        raise errors.not_found("TrackingCategories", category_id)
    if not name or len(name) > MAX_OPTION_NAME:
        raise errors.validation(
            body, f"A tracking option name is 1 to {MAX_OPTION_NAME} characters"
        )
    if any(option["Name"].casefold() == name.casefold() for option in category["Options"]):
        raise errors.validation(body, "For each specified tracking option the name must be unique.")
    return books.add_tracking_option(category_id, name)
