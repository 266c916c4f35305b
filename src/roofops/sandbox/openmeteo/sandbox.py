"""The demo's sandbox Open-Meteo: seeded weather for the demo company's job sites.

Open-Meteo needs no credentials, so the sandbox only needs the demo company: the weather
refresh of a demo database asks ``{ROOFOPS_BASE_URL}/sandbox/openmeteo/v1/`` by itself. The
demo's seed seeds the weather, so the same demo sees the same storms.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.types import ASGIApp

from roofops.config import Settings
from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.openmeteo.fake import FakeOpenMeteo

SANDBOX_PATH = "/sandbox/openmeteo"


def prepare_app(
    db: Session,  # noqa: ARG001 (the sandbox Prepare signature)
    settings: Settings,  # noqa: ARG001
    company: DemoCompany,
) -> Callable[[], ASGIApp] | None:
    return lambda: FakeOpenMeteo(seed=company.seed).app()
