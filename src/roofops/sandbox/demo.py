"""The demo company wired to its sandboxes: as if imported from the sandbox CRM, with the
sandbox books configured for the admin's Connect."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.config import get_settings
from roofops.demo.records import DemoData
from roofops.demo.service import DemoService
from roofops.sandbox.jobnimbus.sandbox import link_demo_company
from roofops.sandbox.openmeteo.sandbox import link_demo_forecasts
from roofops.sandbox.quickbooks.sandbox import prepare_demo_connection
from roofops.sandbox.xero.sandbox import prepare_demo_connection as prepare_xero_connection


def link_sandboxes(db: Session, data: DemoData) -> None:
    settings = get_settings()
    # The demo company "came from" the sandbox CRM: its Sync now is a real incremental sync.
    link_demo_company(db, settings, data)
    # Its QuickBooks is the sandbox, configured but not connected: the admin clicks Connect.
    prepare_demo_connection(db, settings)
    # So is its Xero: the admin connects one of the two (a company keeps one set of books).
    prepare_xero_connection(db, settings)
    # Its job sites have the sandbox's weather, as if a first forecast refresh had run.
    link_demo_forecasts(db, data)


demo_service = DemoService(after_load=(link_sandboxes,))
# build_demo(db, *, size, seed, as_of, ...): the CLI's, the tests' and the benchmarks' demo.
build_demo = demo_service.build
