"""The demo's sandbox OSRM: road-like travel times with no routing server to run.

The demo plans with straight lines by default; ``ROOFOPS_TRAVEL_PROVIDER=osrm`` with
``ROOFOPS_OSRM_URL={ROOFOPS_BASE_URL}/sandbox/osrm`` plans it through this fake instead.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.types import ASGIApp

from roofops.config import Settings
from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.osrm.fake import FakeOsrm

SANDBOX_PATH = "/sandbox/osrm"


def prepare_app(
    db: Session,  # noqa: ARG001 (the sandbox Prepare signature)
    settings: Settings,  # noqa: ARG001
    company: DemoCompany,  # noqa: ARG001
) -> Callable[[], ASGIApp] | None:
    return lambda: FakeOsrm().app()
