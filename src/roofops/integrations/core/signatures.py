"""Webhook signatures as QuickBooks and Xero both make them: base64 of an HMAC-SHA256 of the
raw body. Verify the raw bytes before parsing them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac


def hmac_sha256_base64(body: bytes, key: str) -> str:
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def valid_hmac_sha256_base64(body: bytes, signature: str | None, key: str) -> bool:
    """Constant-time; a missing or undecodable signature is simply not valid."""
    if not signature or not key:
        return False
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(key.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)
