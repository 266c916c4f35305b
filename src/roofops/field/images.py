"""What a site photo may be: an image we can tell by its first bytes, not by its name or the
browser's word for it (a renamed PDF is refused), and no larger than a phone's photo."""

from __future__ import annotations

from roofops.exceptions import PayloadTooLarge, ValidationFailed
from roofops.kit.files import sniff_image_type

MAX_PHOTO_BYTES = 8 * 1024 * 1024


def checked_image_type(data: bytes) -> str:
    """The media type of an acceptable photo; 413 when too large, 422 when not an image."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PayloadTooLarge(
            f"the photo is larger than the {MAX_PHOTO_BYTES // 1024 // 1024} MB limit: send a "
            "smaller size (phones offer one when sharing a photo)",
            field="photo",
        )
    if not data:
        raise ValidationFailed("the photo is empty: choose or take a picture", field="photo")
    media_type = sniff_image_type(data)
    if media_type is None:
        raise ValidationFailed(
            "this file is not a photo we can store: send a JPEG, PNG, WebP or HEIC image",
            field="photo",
        )
    return media_type
