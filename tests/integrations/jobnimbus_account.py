"""A small JobNimbus account served by the fake on a real port, connected and synced: what the
status and branch map pages and endpoints work on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.integrations.core.runner import run_now
from roofops.integrations.jobnimbus.service import jobnimbus_service, jobnimbus_sync
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore, create_fake_app, serve_fake

API_KEY = "jn-maps-key-3f7a9c21"
UNKNOWN = "Roof Loaded"


@dataclass
class Account:
    app: Starlette
    url: str

    def fresh(self, jobs: int = 12) -> FakeJobNimbusStore:
        """A new account for a test, with a status added in JobNimbus that roofops does not
        know and one job moved to it."""
        store = demo_store(jobs)
        store.add_status("Residential", UNKNOWN)
        job = next(j for j in store.records("jobs") if j["record_type_name"] == "Residential")
        store.change_status(job["jnid"], UNKNOWN)
        self.app.state.store = store
        return store


@contextmanager
def serving() -> Iterator[Account]:
    app = create_fake_app(demo_store(12), api_key=API_KEY)
    with serve_fake(app) as url:
        yield Account(app, url)


def connect_and_sync(
    db: Session, settings: Settings, session_maker: sessionmaker[Session], url: str
) -> None:
    """Connected with the account's key, then one sync run in this process."""
    jobnimbus_service.connect(db, settings, SYSTEM, API_KEY, base_url=url)
    db.commit()
    run_now(session_maker, settings, jobnimbus_sync, full=False, triggered_by="test")
