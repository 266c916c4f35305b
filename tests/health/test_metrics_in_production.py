"""/metrics is never open in production: without ROOFOPS_METRICS_TOKEN the app does not start."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from roofops.app import create_app
from roofops.cli.main import app as cli
from roofops.config import Settings
from roofops.exceptions import ConfigurationError


def test_production_without_a_metrics_token_refuses_to_build(
    settings: Settings, session_maker: sessionmaker[Session]
) -> None:
    production = settings.model_copy(update={"env": "production", "metrics_token": None})
    with pytest.raises(ConfigurationError, match="ROOFOPS_METRICS_TOKEN must be set"):
        create_app(production, session_maker, run_background=False)


def test_production_with_a_token_serves_metrics_only_with_it(
    settings: Settings, session_maker: sessionmaker[Session]
) -> None:
    production = settings.model_copy(
        update={"env": "production", "metrics_token": SecretStr("scrape-me"), "log_json": False}
    )
    client = TestClient(create_app(production, session_maker, run_background=False))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


def test_roofops_serve_says_why_it_will_not_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from roofops.config import get_settings

    monkeypatch.setenv("ROOFOPS_ENV", "production")
    monkeypatch.delenv("ROOFOPS_METRICS_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "ROOFOPS_METRICS_TOKEN must be set" in result.output
