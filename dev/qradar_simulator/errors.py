"""QRadar-shaped error bodies and the simulator's error codes.

QRadar answers every error with ``{"http_response": {"code", "message"}, "code", "message",
"description", "details"}``; ``code`` is unique per endpoint. The deploy codes 1002 (a deploy
is already running), 1004 (nothing to deploy) and 1020 (server error) are QRadar's; the other
numbers are the simulator's own choice, kept distinct so tests can tell the cases apart.
"""

from __future__ import annotations

import http
from typing import Any

# QRadar's deploy_status codes (documented).
DEPLOY_RUNNING = 1002
NOTHING_TO_DEPLOY = 1004
SERVER_ERROR = 1020

# Simulator-assigned codes.
NOT_FOUND = 1002  # "does not exist", as QRadar uses for missing resources
INVALID_FIELD = 1005
SEC_MISSING = 9001
SEC_INVALID = 9002
ENDPOINT_NOT_FOUND = 9003
METHOD_NOT_ALLOWED = 9004
INVALID_VERSION = 9005
INVALID_JSON = 9006
SEC_EXPIRED = 9007
SIMULATED_FAULT = 9999

_HTTP_MESSAGES = {
    400: "The request was malformed.",
    401: "You are unauthorized to access the requested resource.",
    403: "Your account is not authorized to access the requested resource.",
    404: "We could not find the resource you requested.",
    405: "The method you are using is not allowed for the requested resource.",
    409: "The request could not be completed due to a conflict with the current state of the resource.",
    422: "The request was well-formed but was unable to be followed due to semantic errors.",
    500: "Unexpected internal server error.",
    503: "The server is currently unavailable due to maintenance or overloading.",
}


def http_message(status: int) -> str:
    if status in _HTTP_MESSAGES:
        return _HTTP_MESSAGES[status]
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown status"


def error_body(
    status: int,
    code: int,
    message: str,
    description: str = "",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "http_response": {"code": status, "message": http_message(status)},
        "code": code,
        "message": message,
        "description": description or message,
        "details": dict(details or {}),
    }


class ApiError(Exception):
    """Raised by the state/API layer; the server turns it into a QRadar error response."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        description: str = "",
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.description = description
        self.details = dict(details or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.code, self.message, self.description, self.details)


def invalid_field(field: str, problem: str) -> ApiError:
    return ApiError(
        422,
        INVALID_FIELD,
        f"Invalid value for field '{field}': {problem}",
        "The request body failed validation.",
        {"field": field},
    )
