"""What an uploaded file is, told by its first bytes rather than by its name or the browser's
word for it, and a name for it that is safe to store and to send back in a header."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

# The ISO-BMFF brands of HEIC/HEIF stills, as iPhones and recent Android phones write them.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
# The usual extension of each type we sniff: a download opens in the right program.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
}
_SAME_TYPE = {".jpeg": "image/jpeg", ".heif": "image/heic"}
# Letters, digits and a few marks; everything else (slashes, quotes, controls) becomes "_".
_UNSAFE = re.compile(r"[^\w .()+-]+")


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


def sniff_document_type(data: bytes) -> str | None:
    """A PDF or one of the images above, by magic bytes; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return sniff_image_type(data)


def safe_filename(name: str, media_type: str, *, fallback: str, max_length: int = 200) -> str:
    """The file's own name without any folder, odd characters or leading dots, ending in the
    extension of what the bytes are (``contract.pdf`` holding a PNG becomes ``contract.png``)."""
    base = unicodedata.normalize("NFKC", re.split(r"[\\/]", name)[-1])
    stem = PurePosixPath(base).stem if _known_suffix(base) else base
    stem = _UNSAFE.sub("_", stem).strip(" ._") or fallback
    extension = _extension(base, media_type)
    return stem[: max_length - len(extension)] + extension


def _known_suffix(name: str) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix in EXTENSIONS.values() or suffix in _SAME_TYPE


def _extension(name: str, media_type: str) -> str:
    """The name's own extension when it says the right type (``.jpeg`` stays), else ours."""
    suffix = PurePosixPath(name).suffix.lower()
    if _SAME_TYPE.get(suffix) == media_type:
        return suffix
    return EXTENSIONS.get(media_type, "")


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition`` for a download: an ASCII name every browser reads, and the
    exact name (RFC 6266 ``filename*``) for those that read UTF-8."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
