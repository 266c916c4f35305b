"""Prometheus instruments of one app: request counts and latencies, worker heartbeat, build.

Each app owns its registry, so tests and several apps in one process never collide. Under
`roofops serve --workers N` (N > 1) the workers share their values through files in
PROMETHEUS_MULTIPROC_DIR (set by serve), so that a scrape answered by any worker counts all of
them. Separate replicas are scraped one by one, as usual.
"""

from __future__ import annotations

import math
import os
import platform

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
    multiprocess,
    process_collector,
)

from roofops import __version__
from roofops.config import Settings
from roofops.exceptions import ConfigurationError

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LABELS = ("method", "route", "status")
MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # prometheus_client chose file-backed values at import if this is set (serve sets it
        # before it starts the workers).
        self.shared_by_workers = bool(os.environ.get(MULTIPROCESS_DIR_ENV))
        if not self.shared_by_workers:  # one process's memory and CPU mean nothing for N
            process_collector.ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "roofops_http_requests", "HTTP requests handled.", LABELS, registry=self.registry
        )
        self.latency = Histogram(
            "roofops_http_request_duration_seconds",
            "Time from request to the end of the response body (SSE: the whole stream).",
            LABELS,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.heartbeat_age = Gauge(
            "roofops_worker_heartbeat_age_seconds",
            "Seconds since the newest worker heartbeat (+Inf: no worker ever beat).",
            registry=self.registry,
            multiprocess_mode="mostrecent",  # read fresh by whichever worker is scraped
        )
        # Info has no file-backed form: it lives in a registry of its own, rendered by each.
        self.build_registry = CollectorRegistry()
        build = Info(
            "roofops_build", "Version of roofops and Python.", registry=self.build_registry
        )
        build.info({"version": __version__, "python": platform.python_version()})

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def render(self, heartbeat_age_seconds: float | None) -> bytes:
        """The text exposition; the heartbeat gauge is read fresh at every scrape."""
        age = math.inf if heartbeat_age_seconds is None else heartbeat_age_seconds
        self.heartbeat_age.set(age)
        return generate_latest(self._values()) + generate_latest(self.build_registry)

    def _values(self) -> CollectorRegistry:
        if not self.shared_by_workers:
            return self.registry
        every_worker = CollectorRegistry()
        multiprocess.MultiProcessCollector(every_worker)  # type: ignore[no-untyped-call]
        return every_worker


def require_metrics_token(settings: Settings) -> None:
    """Production serves /metrics only behind its bearer token: request counts by route and
    the process's memory are nobody else's business, and a forgotten firewall rule is common.
    Checked when the app is built, so a replica without the token never starts."""
    if settings.is_production and settings.metrics_token is None:
        raise ConfigurationError(
            "ROOFOPS_METRICS_TOKEN must be set when ROOFOPS_ENV=production: /metrics answers "
            "only with it. Generate one with "
            '`python -c "import secrets; print(secrets.token_urlsafe(32))"` and give the '
            "same value to Prometheus as its bearer token."
        )
