"""The unit of work on SQLite: reads never queue behind the write lock; writes still do."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa

from roofops.db import get_engine, session_factory, unit_of_work


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
