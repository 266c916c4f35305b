"""Each worker process stamps a heartbeat row; /health/ready and stale-job recovery read it."""

from __future__ import annotations

import os
import socket
import threading

from roofops.db import session_scope
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.runtime import WorkerHeartbeat
from roofops.worker.repository import HeartbeatRepository

log = get_logger(__name__)


class Heartbeat:
    def __init__(self, database_url: str, *, worker_id: str, kind: str, interval: float) -> None:
        self.database_url = database_url
        self.worker_id = worker_id
        self.kind = kind
        self.interval = interval
        self.started_at = utcnow()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="roofops-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        with session_scope(self.database_url) as db:
            HeartbeatRepository(db).remove(self.worker_id)

    def beat(self) -> None:
        with session_scope(self.database_url) as db:
            HeartbeatRepository(db).beat(
                WorkerHeartbeat(
                    worker_id=self.worker_id,
                    kind=self.kind,
                    hostname=socket.gethostname(),
                    pid=os.getpid(),
                    started_at=self.started_at,
                    seen_at=utcnow(),
                )
            )

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.beat()
            except Exception:  # a missed beat shows as staleness; never kill the process
                log.exception("worker.heartbeat.failed")
