"""Engine, sessions and the unit of work.

Only the owner of a unit of work commits or rolls back: the request dependency (:data:`DB`),
the task runner and the CLI wrapper (:func:`session_scope`); services flush at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}

AFTER_COMMIT_KEY = "roofops.after_commit"
# Execution option of a unit of work that only reads (see _configure_sqlite).
READ_ONLY = "roofops_read_only"
# Methods that only read: their unit of work begins deferred on SQLite, they skip the write
# queue and need no CSRF token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, a busy timeout for writers, real FKs, and SAVEPOINT support.

    pysqlite's own transaction handling breaks SAVEPOINTs, so we switch it off and emit BEGIN
    ourselves (the SQLAlchemy-documented recipe), IMMEDIATE so that writers queue.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # A unit of work that may write takes the write lock up front (IMMEDIATE): a deferred
        # transaction that reads and then writes fails at once with "database is locked" when
        # another writer got in between (busy_timeout cannot help a stale snapshot); this way
        # it waits its turn. A read-only one (a GET) begins deferred and never waits for
        # writers: WAL gives it a snapshot of its own.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


PING_AFTER_IDLE_SECONDS = 10.0
RETURNED_AT = "roofops_returned_at"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    engine = sa.create_engine(url, pool_size=10, max_overflow=10)
    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """A pooled connection idle for a while is pinged before use, and replaced if the database
    restarted meanwhile. SQLAlchemy's ``pool_pre_ping`` pings at every checkout: one round trip
    more per request, which cost a fifth of the requests served under load on PostgreSQL."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(RETURNED_AT)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:
            # The pool discards this connection and checks out a fresh one.
            raise sa.exc.DisconnectionError(str(error)) from error


def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    url = url or get_settings().database_url
    engine = get_engine(url)
    with _lock:
        if url not in _factories:
            _factories[url] = sessionmaker(bind=engine, expire_on_commit=False)
        return _factories[url]


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction commits; dropped on rollback."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # SQLAlchemy fires after_commit when a savepoint (begin_nested) is released too; the
    # work is committed only once the session's own transaction ends. A VACUUM queued by the
    # demo ran at a savepoint's release and waited forever on the open transaction's locks.
    if session.in_nested_transaction():
        return
    callbacks: list[Callable[[], None]] = session.info.pop(AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """Commit on success, roll back on any error: what every owner of a unit of work does.

    ``read_only``: the work only reads (a GET), so on SQLite it need not queue for the write
    lock. On PostgreSQL it changes nothing.
    """
    session = factory()
    if read_only:
        _begin_read_only(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def attempt(session: Session) -> Iterator[None]:
    """One action inside the owner's unit of work, undone alone if it raises (a SAVEPOINT).

    A page that shows a refusal beside its form runs the action in one: the refused action
    leaves nothing behind, the page reads on, and the request still commits or rolls back as
    the owner of the whole.
    """
    with session.begin_nested():
        yield


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """The unit of work of a CLI command or a task."""
    with unit_of_work(session_factory(url)) as session:
        yield session


def _begin_read_only(session: Session) -> None:
    """Begin now, deferred, when the session owns a fresh SQLite connection (a session bound to
    a connection that is already in a transaction, as in tests, keeps that transaction)."""
    bind = session.get_bind()
    if isinstance(bind, sa.Engine) and bind.dialect.name == "sqlite":
        session.connection(execution_options={READ_ONLY: True})


def get_db(request: Request) -> Iterator[Session]:
    """The request owns its unit of work: commit on success, roll back on any error."""
    read_only = request.method in SAFE_METHODS
    with unit_of_work(request.app.state.session_factory, read_only=read_only) as session:
        yield session


# The session of the request: endpoints and pages take ``db: DB``.
DB = Annotated[Session, Depends(get_db, scope="function")]
