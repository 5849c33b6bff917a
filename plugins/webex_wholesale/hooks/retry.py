"""When the Webex Wholesale hook repeats a request, and how long it waits first.

Two decisions are made per failed attempt. First, which exception the failure becomes: a provisioning ``POST`` is
not idempotent, so a failure that does not prove Webex left it unprocessed becomes a
:class:`~webex_wholesale.exceptions.WebexAmbiguousWriteError` (the caller must look the resource up) instead of a
retryable error (:func:`error_for_answer`, :func:`error_for_no_answer`). Second, whether that exception is retried
(:func:`is_retryable`, the one predicate given to tenacity) and after how long (:func:`retry_wait`).
"""

from __future__ import annotations

import random

import requests
from urllib3.exceptions import ConnectTimeoutError

from webex_wholesale.exceptions import (
    WebexAmbiguousWriteError,
    WebexApiError,
    WebexConnectionError,
    WebexTransientError,
)
from webex_wholesale.http_status import DEFAULT_RETRY_AFTER

__all__ = [
    "BACKOFF_BASE",
    "error_for_answer",
    "error_for_no_answer",
    "is_idempotent",
    "is_retryable",
    "not_sent",
    "retry_wait",
]

#: First backoff step for 5xx and connection errors; doubles on every attempt, capped at ``max_retry_wait``.
BACKOFF_BASE = 0.5
#: Statuses that prove a request was rejected before being processed (safe to repeat even a POST).
_NOT_PROCESSED_STATUSES = frozenset({423, 429, 503})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


def is_retryable(exc: BaseException) -> bool:
    """The hook's one retry predicate (passed to tenacity).

    :class:`WebexTransientError` (429, 423, 5xx) and :class:`WebexConnectionError` (no answer) are retried.
    Everything else is not: :class:`WebexPermanentError` (other 4xx), :class:`WebexAmbiguousWriteError` (a write
    that may have been processed), configuration errors and bugs. Which failure becomes which exception is decided
    per request by :func:`error_for_answer` and :func:`error_for_no_answer` (for instance a read timeout on a
    provisioning POST becomes a ``WebexAmbiguousWriteError``).
    """
    return isinstance(exc, (WebexTransientError, WebexConnectionError))


def is_idempotent(method: str) -> bool:
    """Whether repeating a request with this (upper-case) HTTP method is harmless by default."""
    return method in _IDEMPOTENT_METHODS


def error_for_answer(error: WebexApiError, *, idempotent: bool) -> WebexApiError | WebexAmbiguousWriteError:
    """The exception to raise for an error answer.

    A transient status (500/502/504) on a non-idempotent request becomes :class:`WebexAmbiguousWriteError`;
    423, 429 and 503 prove the request was not processed and stay retryable.
    """
    if isinstance(error, WebexTransientError) and not idempotent and error.status_code not in _NOT_PROCESSED_STATUSES:
        return WebexAmbiguousWriteError(
            error.method,
            error.path,
            f"HTTP {error.status_code}: {error}",
            status_code=error.status_code,
            tracking_id=error.tracking_id,
        )
    return error


def error_for_no_answer(
    failure: requests.RequestException,
    *,
    method: str,
    path: str,
    idempotent: bool,
    tracking_id: str,
    connect_timeout: float,
    read_timeout: float,
) -> WebexConnectionError | WebexAmbiguousWriteError:
    """The exception to raise when no answer came back.

    :class:`WebexConnectionError` (retryable) when the request is idempotent or provably never reached the server
    (:func:`not_sent`); otherwise :class:`WebexAmbiguousWriteError`.
    """
    reason = _describe_transport_error(failure, connect_timeout, read_timeout)
    if idempotent or not_sent(failure):
        return WebexConnectionError(method, path, reason)
    return WebexAmbiguousWriteError(method, path, reason, tracking_id=tracking_id)


def not_sent(error: requests.RequestException) -> bool:
    """Whether ``requests`` failed before the request could reach the server (safe to repeat a POST)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and not isinstance(error, requests.Timeout):
        reason = getattr(error.args[0], "reason", None) if error.args else None
        # NewConnectionError (refused, DNS failure) is a ConnectTimeoutError subclass in urllib3 2.
        return isinstance(reason, ConnectTimeoutError)
    return False


def retry_wait(error: Exception, attempt: int, cap: float) -> float:
    """Seconds before the next attempt: ``Retry-After`` for 429/423, capped jittered backoff otherwise.

    :param attempt: the number of the attempt that just failed (1 for the first).
    :param cap: the longest wait, in seconds (the hook's ``max_retry_wait``).
    """
    retry_after = error.retry_after if isinstance(error, WebexApiError) else None
    if isinstance(error, WebexApiError) and error.status_code in (423, 429):
        wait = DEFAULT_RETRY_AFTER if retry_after is None else retry_after
        return round(min(max(0.0, wait), cap), 3)
    backoff = min(cap, BACKOFF_BASE * 2 ** (attempt - 1))
    wait = random.uniform(backoff / 2, backoff)
    if retry_after is not None:  # a 503 may also say when to come back
        wait = max(wait, min(retry_after, cap))
    return round(wait, 3)


def _describe_transport_error(error: requests.RequestException, connect_timeout: float, read_timeout: float) -> str:
    if isinstance(error, requests.ConnectTimeout):
        return f"ConnectTimeout: no connection within {connect_timeout:g} s"
    if isinstance(error, requests.ReadTimeout):
        return f"ReadTimeout: no answer within {read_timeout:g} s"
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text[:300]}"
