"""Vendor secrets at rest: one encrypted JSON document per connection.

Keys come from ``ROOFOPS_ENCRYPTION_KEYS``. Outside production, with none set, a key is created
once in the data directory (mode 0600) so the zero-set-up SQLite install can store a JobNimbus
key; production refuses to start storing secrets without a configured key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from roofops.config import Settings
from roofops.exceptions import ConfigurationError
from roofops.kit.crypto import SecretBox, new_fernet_key
from roofops.models.integration import IntegrationConnection

LOCAL_KEY_FILE = "encryption.key"


def secret_box(settings: Settings) -> SecretBox:
    if settings.encryption_keys is not None:
        keys = [key.strip() for key in settings.encryption_keys.get_secret_value().split(",")]
        return SecretBox([key for key in keys if key])
    if settings.is_production:
        raise ConfigurationError(
            "ROOFOPS_ENCRYPTION_KEYS must be set in production before a vendor secret is stored"
        )
    return SecretBox([_local_key(settings.data_dir / LOCAL_KEY_FILE)])


def _local_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_fernet_key()
    # O_EXCL: two processes starting together must not each write a different key.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return key


def read_credentials(box: SecretBox, connection: IntegrationConnection) -> dict[str, Any]:
    if not connection.credentials_encrypted:
        return {}
    document: dict[str, Any] = json.loads(box.decrypt(connection.credentials_encrypted))
    return document


def write_credentials(
    box: SecretBox, connection: IntegrationConnection, credentials: dict[str, Any], origin: str
) -> None:
    connection.credentials_encrypted = box.encrypt(json.dumps(credentials, sort_keys=True))
    connection.credentials_origin = origin
