"""The Webex error body and the exception that carries it, so every 4xx/5xx has one shape.

Webex answers errors as ``{message, errors: [{description, errorCode}], trackingId}`` (notes §7.1). Only a
few wholesale error codes are public (``10022``, ``2560``); the ``SIM_*`` codes below are this simulator's own
invention, flagged as such in docs/simulator.md, so a client can tell the reasons apart without parsing text.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse

# Public Webex codes (seen in the official spec's examples).
EMAIL_TAKEN = 10022
CALLING_MAINTENANCE = 2560
PRECHECK_OK_INFO = 100

# Synthetic codes: simulator-only, not Webex's.
SIM_INVALID_REQUEST = 900001
SIM_UNKNOWN_PROVISIONING_ID = 900002
SIM_PACKAGE_NOT_ALLOWED = 900003
SIM_DUPLICATE_EXTERNAL_ID = 900004
SIM_CUSTOMER_NOT_READY = 900005
SIM_SUB_PARTNER_REFUSED = 900006
SIM_NOT_FOUND = 900007
SIM_UNAUTHORIZED = 900008
SIM_RATE_LIMITED = 900009
SIM_INJECTED_FAULT = 900010
SIM_METHOD_NOT_ALLOWED = 900011
SIM_UNSUPPORTED_MEDIA_TYPE = 900012
SIM_INTERNAL_ERROR = 900013

CALLING_MAINTENANCE_TEXT = (
    "One or more Webex Calling services are unavailable due to maintenance, unable to start provisioning. "
    "Consult status.webex.com and retry later."
)


class ApiError(Exception):
    """An HTTP error answered in Webex's shape; raised anywhere in a handler, rendered by one exception handler."""

    def __init__(
        self,
        status: int,
        message: str,
        code: int = SIM_INVALID_REQUEST,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})


def bad_request(message: str, code: int = SIM_INVALID_REQUEST) -> ApiError:
    """The common case: a 400 for a request that breaks a rule (the message names the field)."""
    return ApiError(400, message, code)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found.", SIM_NOT_FOUND)


def new_tracking_id() -> str:
    return f"SIM_{uuid.uuid4()}"


def tracking_id_of(request: Request) -> str:
    """The id the tracking middleware chose for this request (echoed or generated)."""
    return getattr(request.state, "tracking_id", None) or new_tracking_id()


def error_response(
    status: int, message: str, code: int, tracking_id: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"message": message, "errors": [{"description": message, "errorCode": code}], "trackingId": tracking_id}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))
