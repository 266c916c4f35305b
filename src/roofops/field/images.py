"""What a site photo may be: an image we can tell by its first bytes, not by its name or the
browser's word for it (a renamed PDF is refused), and no larger than a phone's photo."""

from __future__ import annotations

from roofops.exceptions import RoofOpsError, ValidationFailed

MAX_PHOTO_BYTES = 8 * 1024 * 1024
# The ISO-BMFF brands of HEIC/HEIF stills, as iPhones and recent Android phones write them.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})


class PhotoTooLarge(RoofOpsError):
    status_code = 413
    code = "payload_too_large"


def sniff_image_type(data: bytes) -> str | None:
    """The image's media type from its magic bytes (JPEG, PNG, WebP, HEIC), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def checked_image_type(data: bytes) -> str:
    """The media type of an acceptable photo; 413 when too large, 422 when not an image."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(
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
