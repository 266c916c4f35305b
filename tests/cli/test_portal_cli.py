"""roofops portal link: prints a working sign-in link for the job's customer, and with
--email mails that same link; clear refusals for an unknown job or a customer without e-mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.db import session_scope
from roofops.models import Customer, Job, PortalLink
from roofops.portal.links import portal_links
from tests.cli.conftest import Cli, committed_database
from tests.factories import make_job
from tests.smtp import running_smtp_server, send_settings_to

LINK = re.compile(r"http://127\.0\.0\.1:8000/portal/sign-in/([A-Za-z0-9_-]{43})")


def two_jobs(db: Session) -> None:
    """5003 for a customer with an e-mail address, 5004 for one without."""
    make_job(db, number="5003")
    customer = db.get(Customer, make_job(db, number="5004").customer_id)
    assert customer is not None
    customer.email = ""


@pytest.fixture
def cli_db(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with committed_database(database_url, tmp_path, monkeypatch, two_jobs) as url:
        yield url


@pytest.fixture
def cli(cli_db: str) -> Cli:
    return Cli()


def test_the_printed_link_signs_the_customer_in(cli: Cli, cli_db: str) -> None:
    found = LINK.search(cli("portal", "link", "5003"))

    assert found is not None
    with session_scope(cli_db) as db:
        job = db.scalars(sa.select(Job).where(Job.number == "5003")).one()
        link = db.scalars(sa.select(PortalLink)).one()
        [audit] = audit_service.history(db, "portal_link", link.id)
        assert audit.actor_label == "command line"
        assert portal_links.sign_in(db, found.group(1)).job_id == job.id


def test_with_email_the_same_link_is_mailed(
    cli: Cli, cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_smtp_server() as smtp:
        send_settings_to(smtp, monkeypatch, "Summit <office@summit.example>")
        output = cli("portal", "link", "5003", "--email")

    found = LINK.search(output)
    assert found is not None
    [mail] = smtp.messages
    assert found.group(1) in mail.get_content()
    assert f"e-mailed to {mail['To']}" in output


def test_unknown_jobs_and_customers_without_email_are_one_sentence(cli: Cli) -> None:
    assert "no job numbered 9999" in cli("portal", "link", "9999", code=1)
    assert "has no e-mail address" in cli("portal", "link", "5004", code=1)
    assert "Traceback" not in cli("portal", "link", "5004", code=1)
