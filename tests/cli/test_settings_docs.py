"""Every setting is documented in .env.example and docs/configuration.md, and the example loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from roofops.config import Settings

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = sorted(f"ROOFOPS_{name.upper()}" for name in Settings.model_fields)


@pytest.mark.parametrize("document", [".env.example", "docs/configuration.md"])
def test_every_setting_is_documented(document: str) -> None:
    text = (ROOT / document).read_text()

    missing = [name for name in VARIABLES if not re.search(rf"\b{name}\b", text)]

    assert missing == [], f"{document} lacks {missing}"


def test_the_example_env_file_loads_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    settings = Settings(_env_file=ROOT / ".env.example")

    assert settings.is_sqlite
    assert settings.metrics_token is None
    assert settings.encryption_keys is None
