"""File types by their first bytes, names safe to store and to send back in a header."""

from __future__ import annotations

import pytest

from roofops.kit.files import attachment_disposition, safe_filename, sniff_document_type
from tests.field.images import HEIC, JPEG, PDF, WEBP, png


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (PDF, "application/pdf"),
        (JPEG, "image/jpeg"),
        (png(), "image/png"),
        (WEBP, "image/webp"),
        (HEIC, "image/heic"),
        (b"MZ\x90\x00" + b"\x00" * 60, None),
        (b"PK\x03\x04" + b"\x00" * 60, None),
        (b"  %PDF-1.7", None),
        (b"", None),
    ],
)
def test_a_document_type_is_read_from_its_first_bytes(data: bytes, media_type: str | None) -> None:
    assert sniff_document_type(data) == media_type


@pytest.mark.parametrize(
    ("name", "media_type", "safe"),
    [
        ("Contract.pdf", "application/pdf", "Contract.pdf"),
        ("contract.pdf", "image/png", "contract.png"),
        ("IMG_0001.JPEG", "image/jpeg", "IMG_0001.jpeg"),
        ("photo", "image/heic", "photo.heic"),
        ("report.docx", "application/pdf", "report.docx.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Claim 42.pdf", "application/pdf", "Claim 42.pdf"),
        (".hidden.pdf", "application/pdf", "hidden.pdf"),
        ('a"b;c\r\nd.pdf', "application/pdf", "a_b_c_d.pdf"),
        ("Angebot für Müller.pdf", "application/pdf", "Angebot für Müller.pdf"),
        ("", "application/pdf", "document.pdf"),
        ("...", "image/png", "document.png"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 196 + ".pdf"),
    ],
)
def test_a_file_name_is_made_safe_and_ends_in_its_real_type(
    name: str, media_type: str, safe: str
) -> None:
    assert safe_filename(name, media_type, fallback="document") == safe


def test_a_download_names_the_file_for_every_browser() -> None:
    header = attachment_disposition("Angebot für Müller.pdf")

    assert header == (
        'attachment; filename="Angebot f_r M_ller.pdf"; '
        "filename*=UTF-8''Angebot%20f%C3%BCr%20M%C3%BCller.pdf"
    )
