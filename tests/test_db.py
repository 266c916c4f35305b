"""The unit of work on SQLite: reads never queue behind the write lock; writes still do. And a
pooled PostgreSQL connection that lost its server is replaced before use."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from roofops import db
from roofops.db import get_engine, make_engine, session_factory, unit_of_work


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'locks.db'}"
    with session_factory(url)() as db:
        db.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        db.commit()
    return url


def test_a_read_only_unit_of_work_reads_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    url = _database(tmp_path)
    factory = session_factory(url)
    try:
        with unit_of_work(factory) as writer:
            writer.execute(sa.text("INSERT INTO notes (body) VALUES ('held')"))
            started = time.monotonic()
            with unit_of_work(factory, read_only=True) as reader:
                seen = reader.execute(sa.text("SELECT count(*) FROM notes")).scalar_one()
            waited = time.monotonic() - started
        assert seen == 0  # its own snapshot: the writer has not committed
        assert waited < 1.0  # not the 30-second busy timeout
    finally:
        get_engine(url).dispose()


def test_a_unit_of_work_that_may_write_waits_its_turn(tmp_path: Path) -> None:
    """Two writers that read first: the second waits for the first instead of failing."""
    url = _database(tmp_path)
    factory = session_factory(url)
    order: list[str] = []

    def second() -> None:
        with unit_of_work(factory) as db:
            count = db.execute(sa.text("SELECT count(*) FROM notes")).scalar_one()
            db.execute(sa.text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"{count}"})
            order.append("second")

    try:
        with unit_of_work(factory) as first:
            first.execute(sa.text("INSERT INTO notes (body) VALUES ('first')"))
            thread = threading.Thread(target=second)
            thread.start()
            time.sleep(0.3)
            order.append("first")
        thread.join(10)
        with factory() as db:
            bodies = db.execute(sa.text("SELECT body FROM notes ORDER BY id")).scalars().all()
        assert order == ["first", "second"]
        assert bodies == ["first", "1"]  # the second read after the first committed
    finally:
        get_engine(url).dispose()


def test_a_pooled_connection_whose_server_went_away_is_replaced_after_idling(
    database_url: str, is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not is_postgres:
        pytest.skip("SQLite has no server to lose")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with get_engine(database_url).connect() as other:  # as a database restart would
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend)})")
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)

        with engine.connect() as connection:
            answer = connection.exec_driver_sql("SELECT 1").scalar()
            now_backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    finally:
        engine.dispose()

    assert answer == 1
    assert now_backend != backend


def test_after_commit_waits_for_the_transaction_not_a_savepoint(tmp_path: Path) -> None:
    """SQLAlchemy fires after_commit when a savepoint is released too; the callbacks wait for
    the session's own commit (a VACUUM run at a savepoint once hung the demo's build)."""
    ran: list[str] = []
    with unit_of_work(session_factory(f"sqlite:///{tmp_path / 'a.db'}")) as session:
        session.execute(sa.text("SELECT 1"))
        db.after_commit(session, lambda: ran.append("committed"))
        with session.begin_nested():
            session.execute(sa.text("SELECT 2"))
        assert ran == []
    assert ran == ["committed"]
