"""Typed failures of the Webex Wholesale operators: what went wrong in one step, and whether a retry can help.

* ``AirflowFailException`` subclasses end the task at once, without retries: retrying the same step cannot help
  (a refused order, a customer in ``error``, a compliance hold, a subscriber Webex refused).
* Plain ``AirflowException`` subclasses let Airflow retry the task: the step is idempotent and picks up where it
  stopped (a wait that timed out re-defers; a subscriber batch with transient failures retries only what is
  missing).

Every error keeps Webex's ``errorCode`` values and ``trackingId`` where Webex gave them, and is picklable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException

from webex_wholesale.exceptions import WebexApiError, WebexPermanentError

__all__ = [
    "WebexChangesFailedError",
    "WebexChangesRefusedError",
    "WebexCustomerOnHoldError",
    "WebexCustomerPollingError",
    "WebexCustomerProvisioningError",
    "WebexCustomerTimeoutError",
    "WebexInvalidInputError",
    "WebexPlanRefusedError",
    "WebexSetupAssistConnectionMissingError",
    "WebexSetupAssistDeliveryError",
    "WebexSetupAssistRejectedError",
    "WebexSubscribersFailedError",
    "WebexSubscribersRefusedError",
    "WebexTemplateRefusedError",
]


class WebexInvalidInputError(AirflowFailException):
    """An operator argument (order, customer, subscribers) is invalid; fix the input, retrying cannot help."""


class WebexPlanRefusedError(AirflowFailException):
    """A change or offboarding cannot be planned as asked (an unknown customer, a refused plan, a mismatched
    confirmation); nothing was changed, and retrying the same run cannot help."""


class WebexChangesFailedError(AirflowException):
    """Some changes of a batch failed; a task retry (or a re-run of the DAG, which re-plans) applies what is left."""


class WebexChangesRefusedError(WebexChangesFailedError, AirflowFailException):
    """Webex refused every failed change of a batch: retrying cannot help; fix the order, then run the change again."""


class WebexTemplateRefusedError(WebexPermanentError):
    """Webex's precheck refused the onboarding order (unknown template, package not allowed, bad address...).

    Still a :class:`~webex_wholesale.exceptions.WebexPermanentError` (and so an ``AirflowFailException``), with
    Webex's ``message``, ``error_codes``, ``descriptions`` and ``tracking_id``, plus the order's
    ``provisioning_id`` and ``external_id``.
    """

    def __init__(
        self,
        status_code: int,
        message: str = "",
        *,
        provisioning_id: str | None = None,
        external_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.provisioning_id = provisioning_id
        self.external_id = external_id
        super().__init__(status_code, message, **kwargs)

    @classmethod
    def from_api_error(
        cls, error: WebexApiError, *, provisioning_id: str | None, external_id: str | None
    ) -> WebexTemplateRefusedError:
        return cls(
            provisioning_id=provisioning_id,
            external_id=external_id,
            **error._kwargs(),
        )

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "provisioning_id": self.provisioning_id, "external_id": self.external_id}

    def _render(self) -> str:
        who = f" for customer externalId {self.external_id!r}" if self.external_id else ""
        return (
            f"Webex refused the onboarding order{who} at precheck: the onboarding template "
            f"(provisioningId {self.provisioning_id!r}) or the order does not pass. {super()._render()}"
        )


class _CustomerError:
    """Mixin: a customer id, its status and Webex's error codes/descriptions, rendered into the message."""

    def _init_customer(
        self,
        customer_id: str | None,
        status: str | None,
        error_codes: Sequence[int] | None,
        descriptions: Sequence[str] | None,
        customer: dict[str, Any] | None,
    ) -> None:
        self.customer_id = customer_id
        self.status = status
        self.error_codes = list(error_codes or [])
        self.descriptions = list(descriptions or [])
        self.customer = customer


class WebexCustomerProvisioningError(_CustomerError, AirflowFailException):
    """The customer's background provisioning ended in ``error`` (e.g. 2560: Webex Calling under maintenance).

    Retrying the wait cannot change it; fix the cause (or wait out the maintenance), update or remove the
    customer, and re-run.
    """

    def __init__(
        self,
        message: str,
        *,
        customer_id: str | None = None,
        status: str | None = "error",
        error_codes: Sequence[int] | None = None,
        descriptions: Sequence[str] | None = None,
        customer: dict[str, Any] | None = None,
    ) -> None:
        self._init_customer(customer_id, status, error_codes, descriptions, customer)
        super().__init__(message)

    def __reduce__(self):
        return (_rebuild, (type(self), (str(self),), self._state()))

    def _state(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "status": self.status,
            "error_codes": self.error_codes,
            "descriptions": self.descriptions,
            "customer": self.customer,
        }


class WebexCustomerOnHoldError(WebexCustomerProvisioningError):
    """The customer is ``pending_rpl_review``: a human must clear the Denied Party List review in Partner Hub."""


class WebexCustomerPollingError(WebexCustomerProvisioningError):
    """Polling the customer failed permanently (unknown customer, refused access, unusable connection)."""


class WebexCustomerTimeoutError(_CustomerError, AirflowException):
    """The customer was still being provisioned at the deadline. A task retry waits again (re-defers)."""

    def __init__(
        self,
        message: str,
        *,
        customer_id: str | None = None,
        status: str | None = None,
        customer: dict[str, Any] | None = None,
    ) -> None:
        self._init_customer(customer_id, status, None, None, customer)
        super().__init__(message)

    def __reduce__(self):
        return (
            _rebuild,
            (
                type(self),
                (str(self),),
                {"customer_id": self.customer_id, "status": self.status, "customer": self.customer},
            ),
        )


class WebexSubscribersFailedError(AirflowException):
    """Some subscribers of a batch failed; at least one failure was transient, so a task retry may help.

    A retry re-lists the customer's subscribers and only posts those still missing.
    ``outcomes`` holds the JSON outcome of every failed subscriber.
    """

    def __init__(self, message: str, *, outcomes: list[dict[str, Any]] | None = None) -> None:
        self.outcomes = list(outcomes or [])
        super().__init__(message)

    def __reduce__(self):
        return (_rebuild, (type(self), (str(self),), {"outcomes": self.outcomes}))


class WebexSubscribersRefusedError(WebexSubscribersFailedError, AirflowFailException):
    """Every failed subscriber was refused permanently by Webex (4xx): retrying the task cannot help."""


class WebexSetupAssistConnectionMissingError(AirflowFailException):
    """The Setup Assist channel's connection is defined but cannot be loaded (an undefined one is not an error:
    the request is then submitted by hand)."""


class WebexSetupAssistDeliveryError(AirflowException):
    """The Setup Assist channel did not accept the request (5xx, 429, no answer): a task retry may help."""

    def __init__(self, message: str, *, http_status: int | None = None, body: str | None = None) -> None:
        self.http_status = http_status
        self.body = body
        super().__init__(message)

    def __reduce__(self):
        return (_rebuild, (type(self), (str(self),), {"http_status": self.http_status, "body": self.body}))


class WebexSetupAssistRejectedError(WebexSetupAssistDeliveryError, AirflowFailException):
    """The Setup Assist channel refused the request (4xx): fix the request or the channel; retrying cannot help."""


def _rebuild(cls: type, args: tuple, kwargs: dict[str, Any]) -> Exception:
    return cls(*args, **kwargs)
