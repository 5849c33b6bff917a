"""How waiting for a customer's background provisioning ends: one event shape for the worker and the triggerer.

``WebexWholesaleHook.wait_for_customer`` (the worker's poll loop) and ``WebexCustomerStatusTrigger`` (the
triggerer's) both end a wait with one of these events, and the wait operator's ``execute_complete`` reads it.
"""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Any

from webex_wholesale.models.responses import Customer


class CustomerWaitStatus(StrEnum):
    """The ``status`` of a customer-wait event."""

    PROVISIONED = "provisioned"
    PROVISIONED_WITH_ERRORS = "provisioned_with_errors"
    ERROR = "error"
    ON_HOLD = "on_hold"
    """``pending_rpl_review``: a Denied Party List review a human must clear in Partner Hub."""
    TIMEOUT = "timeout"
    FAILURE = "failure"
    """Polling failed permanently (unknown customer, refused access, unusable connection)."""
    GONE = "gone"
    """A wait for a deletion: Webex no longer returns the customer."""


def _event(status: CustomerWaitStatus, customer_id: str, customer: Customer | None, message: str) -> dict[str, Any]:
    return {
        "status": status.value,
        "customer_id": customer_id,
        "customer": customer.model_dump(mode="json", by_alias=True) if customer is not None else None,
        "message": message,
    }


def customer_event(customer: Customer, *, until_gone: bool = False) -> dict[str, Any] | None:
    """The event for a customer whose wait is over, or ``None`` while it is still being provisioned.

    A wait is over on a terminal status with no package still in progress, or on a compliance hold. A wait for a
    deletion (``until_gone``) is never over while Webex still returns the customer, whatever its status.
    """
    if until_gone:
        return None
    if customer.status.is_on_hold():
        message = (
            f"Customer {customer.id} is pending_rpl_review: Webex holds it for a Denied Party List compliance "
            "review that a human must clear in Partner Hub."
        )
        return _event(CustomerWaitStatus.ON_HOLD, customer.id, customer, message)
    if customer.is_terminal():
        status = CustomerWaitStatus(customer.status.value)
        return _event(status, customer.id, customer, f"Customer {customer.id} reached status {status.value}.")
    return None


def timeout_event(customer_id: str, last: Customer | None, polls: int) -> dict[str, Any]:
    """The event for a wait whose deadline passed; ``last`` is the last customer read, if any."""
    status = last.status.value if last is not None else "unknown"
    message = f"Customer {customer_id} was still {status} at the deadline (after {polls} polls)."
    return _event(CustomerWaitStatus.TIMEOUT, customer_id, last, message)


def failure_event(customer_id: str, last: Customer | None, reason: str) -> dict[str, Any]:
    """The event for a wait that polling cannot finish (a permanent API error, an unusable connection)."""
    return _event(CustomerWaitStatus.FAILURE, customer_id, last, f"Polling customer {customer_id} failed: {reason}")


def gone_event(customer_id: str, last: Customer | None, error: Exception, *, until_gone: bool) -> dict[str, Any] | None:
    """The event for a wait for a deletion that a poll answered 404 (the customer is gone), else ``None``.

    Only a 404 on a wait ``until_gone`` ends it this way; any other error is the caller's to handle.
    """
    if not until_gone or getattr(error, "status_code", None) != HTTPStatus.NOT_FOUND:
        return None
    return _event(CustomerWaitStatus.GONE, customer_id, last, f"Customer {customer_id} no longer exists.")
