"""Reading Webex's answers: JSON bodies, ids from ``Location``, and typed errors from error bodies.

Webex error answers carry what an operator needs to act (``message``, ``errors[].errorCode``/``description``,
``trackingId``), and some proxies answer with HTML or nothing at all. Everything that parses an answer is here, so
that odd or empty bodies are tolerated the same way wherever the hook reads one.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from webex_wholesale.exceptions import (
    WebexPermanentError,
    WebexTransientError,
    WebexWholesaleError,
    is_transient_status,
)

__all__ = ["api_error", "id_from_location", "json_body", "json_or_none"]


def json_or_none(response: requests.Response) -> Any:
    """The decoded JSON body, or ``None`` when the body is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def json_body(response: requests.Response) -> dict[str, Any]:
    """The JSON object a 2xx answer must carry; :class:`WebexWholesaleError` when it does not."""
    body = json_or_none(response)
    if not isinstance(body, dict):
        method = response.request.method if response.request is not None else "?"
        raise WebexWholesaleError(
            f"Webex API {method} {urlsplit(response.url).path} answered {response.status_code} "
            "without the expected JSON object."
        )
    return body


def id_from_location(response: requests.Response, what: str) -> str:
    """The last path segment of the ``Location`` header (or of the body's ``url``)."""
    location = response.headers.get("Location")
    if not location:
        body = json_or_none(response)
        location = body.get("url") if isinstance(body, dict) else None
    segment = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1] if location else ""
    if not segment:
        raise WebexWholesaleError(f"Webex API {what} answered {response.status_code} without a Location header.")
    return segment


def api_error(
    response: requests.Response, method: str, path: str, sent_tracking_id: str
) -> WebexPermanentError | WebexTransientError:
    """Build the typed error from a non-2xx answer and Webex's error body (tolerating odd or empty bodies)."""
    body = json_or_none(response)
    message = ""
    codes: list[int] = []
    descriptions: list[str] = []
    tracking_id = None
    if isinstance(body, dict):
        message = str(body.get("message") or "")
        top_code = _as_int(body.get("errorCode"))
        if top_code is not None:
            codes.append(top_code)
        for item in body.get("errors") or []:
            if not isinstance(item, dict):
                continue
            code = _as_int(item.get("errorCode"))
            if code is not None and code not in codes:
                codes.append(code)
            if item.get("description"):
                descriptions.append(str(item["description"]))
        tracking_id = body.get("trackingId") or None
    elif response.text and response.text.strip():
        message = " ".join(response.text.split())[:200]
    if not message:
        message = descriptions[0] if descriptions else (response.reason or f"HTTP {response.status_code}")
    tracking_id = tracking_id or response.headers.get("Trackingid") or sent_tracking_id
    status = response.status_code
    cls = WebexTransientError if is_transient_status(status) else WebexPermanentError
    return cls(
        status,
        message,
        error_codes=codes,
        descriptions=descriptions,
        tracking_id=str(tracking_id) if tracking_id else None,
        method=method,
        path=path,
        retry_after=_parse_retry_after(response.headers.get("Retry-After")),
    )


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: an integer/float, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
