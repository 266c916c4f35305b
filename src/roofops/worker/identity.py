"""A stable name for this process in claims, locks and heartbeats."""

from __future__ import annotations

import os
import socket


def worker_id(kind: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{kind}"
