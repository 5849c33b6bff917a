"""What applying a plan did, one record per change: what it was before, what it is after, and how the call ended.

Each record is also one audit row (its ``before`` and ``after`` side by side), so the audit trail answers "who
changed this user's package, from what, when" without reading a log.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from webex_wholesale.http_status import is_transient_status
from webex_wholesale.models._base import CamelModel
from webex_wholesale.models.outcome import SubscriberOutcome

__all__ = ["USER_ACTIONS", "ChangeAction", "ChangeOutcome"]


class ChangeAction(StrEnum):
    """The kinds of change a lifecycle run applies, in the order it applies them."""

    ADD_CUSTOMER_PACKAGES = "add_customer_packages"
    REMOVE_SUBSCRIBER = "remove_subscriber"
    MOVE_SUBSCRIBER = "move_subscriber"
    CREATE_SUBSCRIBER = "create_subscriber"
    REMOVE_CUSTOMER_PACKAGES = "remove_customer_packages"
    DELETE_CUSTOMER = "delete_customer"


#: The changes made to one user (their subject is the user's email); the others change the customer.
USER_ACTIONS = frozenset({ChangeAction.REMOVE_SUBSCRIBER, ChangeAction.MOVE_SUBSCRIBER, ChangeAction.CREATE_SUBSCRIBER})


class ChangeOutcome(CamelModel):
    """One applied (or failed) change: ``subject`` is the user's email or the customer's externalId."""

    action: ChangeAction
    subject: str
    before: Any = None
    after: Any = None
    done: bool
    """Whether Webex now holds ``after`` (also when it already did: a re-run changes nothing twice)."""
    http_status: int | None = None
    tracking_id: str | None = None
    message: str | None = None

    @property
    def is_transient(self) -> bool:
        """A failure a retry may fix: no answer, or a status Webex documents as temporary (423, 429, 5xx)."""
        return not self.done and (self.http_status is None or is_transient_status(self.http_status))

    @classmethod
    def of_creation(cls, outcome: SubscriberOutcome) -> ChangeOutcome:
        """A user provisioned by the subscriber batch (the onboarding's own code), as a change record."""
        return cls(
            action=ChangeAction.CREATE_SUBSCRIBER,
            subject=outcome.email,
            after=outcome.package,
            done=not outcome.failed,
            http_status=outcome.http_status,
            tracking_id=outcome.tracking_id,
            message=outcome.message,
        )
