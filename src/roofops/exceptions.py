"""The error hierarchy: business failures carry a message for people and an HTTP status."""

from __future__ import annotations

from typing import Any


class RoofOpsError(Exception):
    """Base of every error we raise on purpose; rendered as JSON for /api and HTML for pages."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, status_code: int | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.details = details


class ValidationFailed(RoofOpsError):
    status_code = 422
    code = "validation_failed"


class NotAuthenticated(RoofOpsError):
    status_code = 401
    code = "not_authenticated"


class PermissionDenied(RoofOpsError):
    status_code = 403
    code = "permission_denied"


class NotFound(RoofOpsError):
    status_code = 404
    code = "not_found"


class Conflict(RoofOpsError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(RoofOpsError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(RoofOpsError):
    status_code = 415
    code = "unsupported_media_type"


class TooManyRequests(RoofOpsError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, retry_after_seconds=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


class ConfigurationError(RoofOpsError):
    status_code = 500
    code = "configuration_error"
