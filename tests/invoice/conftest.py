"""Jobs to invoice: a retail one with a signed contract, an insurance one with its claim."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.models import ActorType, Job, JobStage, PayerKind, Role
from tests.factories import make_job
from tests.smtp import SmtpServer, running_smtp_server, send_settings_to

RETAIL_CONTRACT = 1_845_000  # $18,450.00
# The domain spec's worked example: RCV $11,000, deductible $1,500, $2,500 depreciation held.
RCV, DEDUCTIBLE, DEPRECIATION = 1_100_000, 150_000, 250_000


@pytest.fixture
def finance() -> Principal:
    return Principal(None, "finance@example.com", "Fin", Role.FINANCE, ActorType.USER)


@pytest.fixture
def retail_job(db: Session) -> Job:
    return make_job(
        db, number="5003", stage=JobStage.CONTRACT_SIGNED, contract_cents=RETAIL_CONTRACT
    )


@pytest.fixture
def insurance_job(db: Session) -> Job:
    """No contract amount recorded: invoices are figured from the claim's RCV."""
    job = make_job(db, number="7100", stage=JobStage.CONTRACT_SIGNED)
    job.payer = PayerKind.INSURANCE
    job.insurance_carrier = "Granite State Mutual"
    job.claim_number = "GSM-4411"
    job.rcv_cents, job.deductible_cents = RCV, DEDUCTIBLE
    job.depreciation_held_cents, job.acv_cents = DEPRECIATION, RCV - DEPRECIATION
    db.flush()
    return job


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def mail_to_smtp(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """Settings pointed at the local server."""
    send_settings_to(smtp, monkeypatch, "Summit Roofing <billing@summit.example>")
    return smtp
