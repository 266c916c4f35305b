"""Health probes and metrics, through the real app and the test database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from roofops import schema
from roofops.app import create_app
from roofops.config import Settings
from roofops.db import get_engine, session_factory
from roofops.kit.time import utcnow
from roofops.models.runtime import WorkerHeartbeat


def beat(db: Session, seconds_ago: float) -> None:
    seen_at = utcnow() - timedelta(seconds=seconds_ago)
    db.add(
        WorkerHeartbeat(
            worker_id=f"test-{seconds_ago}",
            kind="worker",
            hostname="test",
            pid=1,
            started_at=seen_at,
            seen_at=seen_at,
        )
    )
    db.commit()


def test_live_answers_ok(client: TestClient) -> None:
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_is_ok_with_a_fresh_heartbeat(client: TestClient, db: Session) -> None:
    beat(db, seconds_ago=3)

    response = client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    head = schema.head_revision()
    assert body["checks"]["migrations"] == {
        "ok": True,
        "state": "current",
        "current": head,
        "head": head,
    }
    assert 2 < body["checks"]["worker"]["last_seen_seconds_ago"] < 60
    assert body["version"]


def test_ready_is_degraded_but_serving_without_a_worker(client: TestClient, db: Session) -> None:
    db.execute(sa.delete(WorkerHeartbeat))
    db.commit()

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["worker"]["ok"] is False
    assert response.json()["checks"]["worker"]["last_seen_seconds_ago"] is None


def test_ready_is_degraded_with_a_stale_heartbeat(
    client: TestClient, db: Session, settings: Settings
) -> None:
    beat(db, seconds_ago=settings.worker_stale_seconds + 5)

    body = client.get("/health/ready").json()

    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False


def ready_at_revision(client: TestClient, db: Session, revision: str) -> Response:
    """Stamp the test's (rolled-back) transaction at ``revision`` and ask for readiness."""
    beat(db, seconds_ago=1)
    db.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    db.commit()
    return client.get("/health/ready")


def test_ready_fails_when_migrations_are_behind(client: TestClient, db: Session) -> None:
    response = ready_at_revision(client, db, "0001")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["migrations"]["current"] == "0001"
    assert body["checks"]["migrations"]["state"] == "behind"
    assert "worker" not in body["checks"]


def test_ready_stays_serving_when_a_newer_release_migrated(client: TestClient, db: Session) -> None:
    response = ready_at_revision(client, db, "from_next_release")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["migrations"]["state"] == "ahead"


@pytest.fixture
def empty_sqlite_app(tmp_path: Path, settings: Settings) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(settings, session_factory(url), run_background=False)
    with TestClient(app) as client:
        yield client
    get_engine(url).dispose()


def test_ready_fails_on_an_unmigrated_database(empty_sqlite_app: TestClient) -> None:
    response = empty_sqlite_app.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["current"] is None


def test_ready_fails_when_the_database_is_unreachable(tmp_path: Path, settings: Settings) -> None:
    # A SQLite file under a missing directory cannot be opened: the same answer as a dead server.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    app = create_app(settings, sessionmaker(bind=engine), run_background=False)

    response = TestClient(app).get("/health/ready")

    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"] == {"database": {"ok": False}}
    assert "nowhere" not in response.text


def test_metrics_counts_requests_by_route_template(client: TestClient) -> None:
    client.get("/health/live")
    client.get("/no/such/page")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'roofops_http_requests_total{method="GET",route="/health/live",status="200"} 1.0' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "roofops_http_request_duration_seconds_bucket" in text
    assert "roofops_build_info{" in text
    assert "roofops_worker_heartbeat_age_seconds" in text


def test_metrics_uses_the_template_not_the_raw_path(client: TestClient) -> None:
    client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000")

    text = client.get("/metrics").text

    assert 'route="/api/v1/jobs/{job_id}"' in text
    assert "00000000-0000" not in text


@pytest.fixture
def token_client(settings: Settings, session_maker: sessionmaker[Session]) -> TestClient:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("s3cret-scrape")})
    return TestClient(create_app(guarded, session_maker, run_background=False))


def test_metrics_token_is_required_when_set(token_client: TestClient) -> None:
    missing = token_client.get("/metrics")
    wrong = token_client.get("/metrics", headers={"Authorization": "Bearer nope"})
    right = token_client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})

    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert "roofops_http_requests_total" in right.text
