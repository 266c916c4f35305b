"""The fake's error bodies, in the shapes spec digest section 2.5 gives.

400 is the accounting API's ``Error`` schema (``ErrorNumber``, ``Type``, ``Message``,
``Elements`` each with its ``ValidationErrors``). 401, 403, 404 and 429 answer with the
problem-details object Xero's identity layer sends (``Title``, ``Status``, ``Detail``); its exact
key casing is marked unverified in the digest.
"""

from __future__ import annotations

import uuid
from typing import Any

Entity = dict[str, Any]

VALIDATION = (10, "ValidationException", "A validation exception occurred")
# [?] Xero's error-code list names these two; their bodies follow the ValidationException shape.
POST_DATA_INVALID = (14, "PostDataInvalidException", "")
QUERY_PARSE = (16, "QueryParseException", "")


class XeroFailure(Exception):
    """Raised inside the fake's handlers; rendered as ``body`` with ``status``."""

    def __init__(self, status: int, body: Entity, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def validation(element: Entity, *messages: str) -> XeroFailure:
    """One element refused: the element as sent, with its ``ValidationErrors``."""
    errors = [{"Message": message} for message in messages]
    number, kind, message = VALIDATION
    refused = {**element, "ValidationErrors": errors}
    body = {"ErrorNumber": number, "Type": kind, "Message": message, "Elements": [refused]}
    return XeroFailure(400, body)


def elements_refused(elements: list[Entity]) -> XeroFailure:
    """A batch refused whole: every element, each with its own errors (none for the good ones)."""
    number, kind, message = VALIDATION
    body = {"ErrorNumber": number, "Type": kind, "Message": message, "Elements": elements}
    return XeroFailure(400, body)


def bad_request(kind: tuple[int, str, str], message: str) -> XeroFailure:
    number, name, _ = kind
    return XeroFailure(400, {"ErrorNumber": number, "Type": name, "Message": message})


def problem(status: int, title: str, detail: str) -> XeroFailure:
    body: Entity = {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }
    return XeroFailure(status, body)


def unauthorized(detail: str = "TokenExpired: token expired") -> XeroFailure:
    return problem(401, "Unauthorized", detail)


def forbidden() -> XeroFailure:
    return problem(403, "Forbidden", "AuthenticationUnsuccessful")


def not_found(resource: str, record_id: str) -> XeroFailure:
    return problem(
        404, "Not Found", f"The resource you're looking for cannot be found: {resource}/{record_id}"
    )
