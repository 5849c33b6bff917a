"""Errors raised by the Webex Wholesale API client (:mod:`webex_wholesale.hooks.wholesale`).

The hierarchy tells a caller what to do next:

* :class:`WebexConfigurationError` - the Airflow connection is missing or wrong (no token, bad host). Fix the
  connection; it is an :class:`~airflow.sdk.exceptions.AirflowFailException`, so Airflow fails the task at once.
* :class:`WebexPermanentError` - Webex answered a 4xx other than 423/429. Retrying the same request cannot help;
  it is an :class:`~airflow.sdk.exceptions.AirflowFailException`, so Airflow fails the task without retrying.
* :class:`WebexTransientError` - Webex kept answering 429, 423 or 5xx after the hook's own retries. An Airflow
  task retry later may succeed.
* :class:`WebexConnectionError` - no HTTP answer at all (connection refused, DNS, timeout) after the hook's own
  retries, on a request that was safe to repeat.
* :class:`WebexAmbiguousWriteError` - a non-idempotent write (a provisioning ``POST``) failed in a way that
  does not tell whether Webex processed it (read timeout, connection dropped after sending, 500/502/504).
  The hook never repeats such a request blindly; the caller must look the resource up (customer by
  ``externalId``, subscriber by ``customerId`` + ``email``) before trying again.

All errors are picklable (Airflow may serialize them between processes) and never carry the access token: they
are built from the HTTP method, the API path (without the base URL) and Webex's error body.
"""

from __future__ import annotations

import json
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from webex_wholesale.http_status import is_transient_status

__all__ = [
    "WebexAmbiguousWriteError",
    "WebexApiError",
    "WebexBudgetUnavailableError",
    "WebexConfigurationError",
    "WebexConnectionError",
    "WebexPermanentError",
    "WebexTransientError",
    "WebexWholesaleError",
    "is_transient_status",
]


def connection_env_example(conn_id: str, connection: dict[str, Any]) -> str:
    """How to define ``conn_id`` as an environment variable, for error messages that tell the user what to set."""
    return f"AIRFLOW_CONN_{conn_id.upper()}='{json.dumps(connection)}'"


class WebexWholesaleError(Exception):
    """Base class of every error raised by the Webex Wholesale client."""


class WebexConfigurationError(WebexWholesaleError, AirflowFailException):
    """The Airflow connection is missing or cannot be used (no token, bad host, incomplete OAuth settings).

    The message names the connection id and what to set. No retry can fix a connection, so Airflow does not
    retry the task (four retries with backoff used to pass before the message reached anyone).
    """


class WebexBudgetUnavailableError(WebexWholesaleError):
    """The shared API budget's store cannot be reached. Not an ``AirflowFailException``: the task is retried.

    Running without the budget would let every worker hammer the API, so the hook refuses to send instead.
    """


class WebexApiError(WebexWholesaleError):
    """An HTTP error answer from the Webex API, with the parsed Webex error body.

    :param status_code: HTTP status code.
    :param message: Webex's top-level ``message`` (or the HTTP reason when the body had none).
    :param error_codes: every ``errors[].errorCode`` (plus a top-level ``errorCode`` if present).
    :param descriptions: every ``errors[].description``.
    :param tracking_id: Webex's ``trackingId`` (body, else the ``Trackingid`` response header, else ours).
    :param method: HTTP method of the request.
    :param path: API path of the request, relative to the base URL (no host, no secrets).
    :param retry_after: seconds from a ``Retry-After`` header, if Webex sent one.
    """

    def __init__(
        self,
        status_code: int,
        message: str = "",
        *,
        error_codes: list[int] | None = None,
        descriptions: list[str] | None = None,
        tracking_id: str | None = None,
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.status_code = int(status_code)
        self.message = message or ""
        self.error_codes = list(error_codes or [])
        self.descriptions = list(descriptions or [])
        self.tracking_id = tracking_id
        self.method = method
        self.path = path
        self.retry_after = retry_after
        super().__init__(self._render())

    @property
    def retryable(self) -> bool:
        """Whether Webex documents this status as temporary (423, 429, 5xx)."""
        return is_transient_status(self.status_code)

    def _kwargs(self) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "message": self.message,
            "error_codes": self.error_codes,
            "descriptions": self.descriptions,
            "tracking_id": self.tracking_id,
            "method": self.method,
            "path": self.path,
            "retry_after": self.retry_after,
        }

    def _render(self) -> str:
        text = f"Webex API {self.method} {self.path} answered {self.status_code}"
        detail = self.message
        extra = [d for d in self.descriptions if d and d != detail]
        if extra:
            detail = f"{detail}: {'; '.join(extra)}" if detail else "; ".join(extra)
        if detail:
            text += f": {detail}"
        if self.error_codes:
            text += f" [errorCode {', '.join(str(c) for c in self.error_codes)}]"
        if self.tracking_id:
            text += f" (trackingId {self.tracking_id})"
        return text

    def __str__(self) -> str:
        return self._render()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._render()!r})"

    def __reduce__(self):
        return (_rebuild, (type(self), self._kwargs()))

    def serialize(self) -> tuple[str, tuple, dict[str, Any]]:
        """Airflow's exception serialization hook: class path, args, kwargs."""
        cls = type(self)
        return f"{cls.__module__}.{cls.__name__}", (), self._kwargs()


class WebexPermanentError(WebexApiError, AirflowFailException):
    """A 4xx answer other than 423/429: the request is wrong, so Airflow must not retry the task."""


class WebexTransientError(WebexApiError):
    """429, 423 or 5xx still failing after the hook's own retries: an Airflow task retry may help."""


class WebexConnectionError(WebexWholesaleError):
    """No HTTP answer (connection refused, DNS failure, timeout) after the hook's own retries.

    Only raised for requests that were safe to repeat; see :class:`WebexAmbiguousWriteError` for writes.

    :param method: HTTP method.
    :param path: API path relative to the base URL.
    :param reason: what went wrong, e.g. ``"ReadTimeout: read timed out after 30.0 s"``.
    """

    def __init__(self, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"Webex API {self.method} {self.path} got no answer: {self.reason}"

    def __reduce__(self):
        return (_rebuild, (type(self), {"method": self.method, "path": self.path, "reason": self.reason}))


class WebexAmbiguousWriteError(WebexWholesaleError):
    """A write that may or may not have been processed by Webex; the hook did not repeat it.

    Raised for a provisioning ``POST`` when the request may have reached the server but no clear answer came
    back: a read timeout, a connection dropped after sending, or a 500/502/504 answer. Repeating it blindly could
    create a duplicate (or fail with 409), so the caller must reconcile: look the resource up (customer by
    ``externalId``; subscriber by ``customerId`` + ``email``), adopt it if it exists, else try again.

    :param method: HTTP method.
    :param path: API path relative to the base URL.
    :param reason: what went wrong.
    :param status_code: the HTTP status when there was an answer (500/502/504), else ``None``.
    :param tracking_id: Webex's tracking id when known (ours otherwise), to quote in a support case.
    """

    def __init__(
        self,
        method: str,
        path: str,
        reason: str,
        *,
        status_code: int | None = None,
        tracking_id: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        self.status_code = status_code
        self.tracking_id = tracking_id
        super().__init__(str(self))

    def __str__(self) -> str:
        text = (
            f"Webex API {self.method} {self.path} may or may not have been processed ({self.reason}); "
            "look the resource up before retrying"
        )
        if self.tracking_id:
            text += f" (trackingId {self.tracking_id})"
        return text

    def __reduce__(self):
        return (
            _rebuild,
            (
                type(self),
                {
                    "method": self.method,
                    "path": self.path,
                    "reason": self.reason,
                    "status_code": self.status_code,
                    "tracking_id": self.tracking_id,
                },
            ),
        )


def _rebuild(cls: type, kwargs: dict[str, Any]) -> Exception:
    """Unpickle helper: call the class with keyword arguments (Exception's default uses positional args)."""
    return cls(**kwargs)
