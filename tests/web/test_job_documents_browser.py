"""In Chromium: the office uploads a document from the job page, shares it and a site photo
with the customer with a tick, and a viewer sees both marked Shared without any control."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.field.photos import photo_service
from roofops.models import Role
from tests.factories import make_job, make_user
from tests.field.images import PDF, png
from tests.field.world import as_principal
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.test_activity_browser import Live, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("documents")) as url:
        with session_scope(url) as db:
            make_user(db, role=Role.OFFICE, email="olga@summit.example", password=PASSWORD)
            make_user(db, role=Role.VIEWER, email="vic@summit.example", password=PASSWORD)
            dispatcher = make_user(db, role=Role.DISPATCHER)
            job = make_job(db, number="R-88")
            photo_service.add(db, as_principal(dispatcher), job.id, png(), caption="North slope")
            job_path = f"/jobs/{job.id}"
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, job_path)


def test_the_office_shares_a_document_and_a_photo(browser: Browser, live: Live) -> None:
    office = signed_in(browser, live, "olga@summit.example")
    errors: list[str] = []
    office.on("pageerror", lambda exc: errors.append(str(exc)))
    documents = office.locator("#documents")
    expect(documents.locator("#no-documents")).to_be_visible()

    office.get_by_label("Title").fill("Signed contract")
    office.get_by_label(re.compile("^File")).set_input_files(
        {"name": "contract.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    office.get_by_role("button", name="Upload document").click()
    expect(office.locator("#sharing-notice")).to_have_text("Document added; it is not shared yet.")
    row = documents.locator("#document-list li")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="Signed contract")).to_be_visible()

    row.get_by_label("Shared with customer").check()
    expect(office.locator("#sharing-notice")).to_contain_text("Document shared")
    expect(documents.get_by_label("Shared with customer")).to_be_checked()
    office.locator("#photo-list").get_by_label("Share with customer").check()
    expect(office.locator("#sharing-notice")).to_contain_text("Photo shared")
    expect(office.locator("#photo-list").get_by_label("Share with customer")).to_be_checked()
    assert errors == []

    viewer = signed_in(browser, live, "vic@summit.example")
    expect(viewer.locator("#documents .status-pill.ok")).to_have_text("Shared")
    expect(viewer.locator("#site-photos .status-pill.ok")).to_have_text("Shared")
    expect(viewer.locator("#sharing-panel input[type=checkbox]")).to_have_count(0)
    expect(viewer.locator("#document-upload")).to_have_count(0)
