"""Secrets at rest: MultiFernet so keys can be rotated without re-encrypting in one go."""

from __future__ import annotations

import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from roofops.exceptions import ConfigurationError


class SecretBox:
    """Encrypts with the first key, decrypts with any of them."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigurationError("no encryption key configured (ROOFOPS_ENCRYPTION_KEYS)")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError(
                "stored secret cannot be decrypted with the configured keys"
            ) from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key (run after adding a key, before dropping the old one)."""
        return self._fernet.rotate(token.encode()).decode()


def new_fernet_key() -> str:
    return Fernet.generate_key().decode()


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def sha256_hex(value: str) -> str:
    """Digest for high-entropy tokens (session and API tokens); passwords use argon2 instead."""
    return hashlib.sha256(value.encode()).hexdigest()
