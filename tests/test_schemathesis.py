"""The OpenAPI document tells the truth: schemathesis calls every JSON route in process (ASGI)
with generated valid and invalid input and checks each answer against the document.

Bounded and deterministic (a fixed number of examples per operation, derandomized), and run by
``make schemathesis`` (part of ``make test``), not by the plain suite: ROOFOPS_SCHEMATHESIS=1.
Each call carries a fresh admin token, so a call that revokes or deactivates something cannot
take the credentials of the calls after it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from roofops import __version__
from roofops.api import api_router
from roofops.auth.service import auth_service
from roofops.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.skipif(
    not os.environ.get("ROOFOPS_SCHEMATHESIS"), reason="run by `make schemathesis`"
)
EXAMPLES = int(os.environ.get("ROOFOPS_SCHEMATHESIS_EXAMPLES", "10"))
# The event stream never ends (nothing to fuzz in one answer), and saving a JobNimbus key
# checks it with JobNimbus itself: the tests reach no network.
NOT_FUZZED = "^/api/v1/(events|integrations/jobnimbus/api-key)"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def fresh_token(db: Session) -> Callable[[], dict[str, str]]:
    """A new admin token for each call (one account per test: password hashing is slow)."""
    admin = make_user(db, role=Role.ADMIN)

    def header() -> dict[str, str]:
        token = auth_service.create_api_token(db, user_id=admin.id, name="schemathesis")
        db.commit()
        return {"Authorization": f"Bearer {token.raw_token}"}

    return header


def _openapi_document() -> dict[str, Any]:
    """The app's document is its API router's (every other route is outside the schema); built
    here without a database, which collection has not set up yet."""
    document = FastAPI(title="roofops", version=__version__)
    document.include_router(api_router)
    return document.openapi()


schema = schemathesis.openapi.from_dict(_openapi_document()).exclude(path_regex=NOT_FUZZED)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_openapi_document_says(
    case: schemathesis.Case, app: FastAPI, fresh_token: Callable[[], dict[str, str]]
) -> None:
    # The tests' app, on this test's rolled-back transaction.
    case.call_and_validate(app=app, headers=fresh_token(), checks=CHECKS)
