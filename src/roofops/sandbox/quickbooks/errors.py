"""The fake's error bodies, shaped as spec digest section 1.9 describes each one.

QuickBooks answers with three different shapes: the usual ``Fault`` envelope, a lowercase
``fault`` body on 401, and an XML ``<Fault>`` on 429 even when JSON was asked for.
"""

from __future__ import annotations

from typing import Any

THROTTLE_MESSAGE = "message=ThrottleExceeded; errorCode=003001; statusCode=429"
THROTTLE_DETAIL = "The request limit was reached.  Try again later"
STALE_DETAIL = (
    "Stale Object Error : You and Fake User were working on this at the same time. "
    "Fake User finished before you did, so your work was not saved."
)


class FakeFault(Exception):
    """Raised inside the fake's handlers; rendered as a ``Fault`` envelope."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str = "",
        *,
        status: int = 400,
        fault_type: str = "ValidationFault",
        element: str = "",
    ) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code = code
        self.message = message
        self.detail = detail
        self.status = status
        self.fault_type = fault_type
        self.element = element

    def fault(self) -> dict[str, Any]:
        error = {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }
        return {"Error": [error], "type": self.fault_type}


def stale_object(entity: str, entity_id: str) -> FakeFault:
    return FakeFault("5010", "Stale Object Error", STALE_DETAIL, element=f"{entity}:{entity_id}")


def not_found(entity: str, entity_id: str) -> FakeFault:
    detail = f"Object Not Found : Something you're trying to use has been made inactive. {entity}"
    return FakeFault("610", "Object Not Found", f"{detail} Id={entity_id}")


def invalid_reference(field: str, value: str) -> FakeFault:
    detail = f"Invalid Reference Id : {field} assigned is not valid: {value}"
    return FakeFault("2500", "Invalid Reference Id", detail, element=field)


def required_missing(field: str) -> FakeFault:
    detail = f"Required parameter {field} is missing in the request"
    return FakeFault("2020", "Required param missing, need to supply the required value", detail)


def unsupported_property(field: str) -> FakeFault:
    detail = f"Property Name:{field} specified is unsupported or invalid"
    return FakeFault("2010", "Request has invalid or unsupported property", detail)


def query_error(detail: str) -> FakeFault:
    return FakeFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def business_rule(detail: str) -> FakeFault:
    return FakeFault("6000", "A business validation error has occurred", detail)


def throttle_json() -> dict[str, Any]:
    error = {"Message": THROTTLE_MESSAGE, "Detail": THROTTLE_DETAIL, "code": "3001"}
    return {"Error": [error], "type": "SERVICE"}


def throttle_xml() -> str:
    return (
        '<Fault type="SERVICE"><Error code="3001">'
        f"<Message>{THROTTLE_MESSAGE}</Message><Detail>{THROTTLE_DETAIL}</Detail>"
        "</Error></Fault>"
    )


def unauthorized_body(epoch_millis: int) -> dict[str, Any]:
    """The lowercase-keyed 401 body, verbatim in shape from the spec digest."""
    message = "message=AuthenticationFailed; errorCode=003200; statusCode=401"
    error = {"message": message, "detail": None, "code": "3200", "element": None}
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {"error": [error], "type": "AUTHENTICATION"},
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": epoch_millis,
        "status": None,
        "cdcresponse": [],
    }


def closed_period(txn_date: str, closed: str) -> FakeFault:
    """A write dated inside the closed books (Preferences' BookCloseDate)."""
    detail = (
        f"Business Validation Error: the transaction date {txn_date} is on or before the "
        f"closing date {closed}; the books are closed for that period."
    )
    return FakeFault("6000", "A business validation error has occurred", detail)


def duplicate_name(name: str) -> FakeFault:
    detail = f"The name supplied already exists. : {name}"
    return FakeFault("6240", "Duplicate Name Exists Error", detail)
