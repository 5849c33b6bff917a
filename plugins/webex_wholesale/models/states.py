"""The words every room uses for how things ended: a run's outcome, an order's state, an audit record's result.

They are spelled here once and passed between rooms as these enums (stored as their values), so no room reads
another's outcome by prefix or substring. A run's outcome is also the state its order settles in, so those
order states take their values from :class:`RunOutcome`; likewise an audit record of a subscriber takes its
values from :class:`~webex_wholesale.models.outcome.SubscriberResult`.
"""

from __future__ import annotations

from enum import StrEnum

from webex_wholesale.ids import CHANGE_DAG_ID, OFFBOARDING_DAG_ID, ONBOARDING_DAG_ID
from webex_wholesale.models.outcome import SubscriberResult

__all__ = ["AUDIT_FAILURES", "AuditKind", "AuditResult", "OrderKind", "OrderState", "RunOutcome"]


class RunOutcome(StrEnum):
    """How one onboarding run ended, as decided by :func:`webex_wholesale.models.report.judge`.

    A dry run that passed is ``succeeded``; the report's ``dryRun`` flag says that nothing was created.
    """

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NEEDS_ATTENTION = "needs_attention"
    """Nothing failed, but a human must act: users must consent to the move, or compliance holds the customer."""
    REJECTED = "rejected"
    """A change or offboarding whose plan a person rejected, or nobody approved in time: nothing was applied."""
    OFFBOARDED = "offboarded"
    """An offboarding that deleted its customer."""


class OrderState(StrEnum):
    """Every state a queued order can be in; the moves between them live in ``webex_wholesale.state.machine``.

    A run's ``wholesale_run`` row uses the same words: ``running``, then its :class:`RunOutcome`.
    """

    QUEUED = "queued"
    CLAIMED = "claimed"
    RUNNING = "running"
    SUCCEEDED = RunOutcome.SUCCEEDED.value
    FAILED = RunOutcome.FAILED.value
    NEEDS_ATTENTION = RunOutcome.NEEDS_ATTENTION.value
    REJECTED = RunOutcome.REJECTED.value
    OFFBOARDED = RunOutcome.OFFBOARDED.value
    CANCELLED = "cancelled"


#: A change order's option beside its fields (a change DAG's conf, a queued change's stored order): remove the users
#: Webex holds that the order does not list.
REMOVE_UNLISTED = "removeUnlisted"


class OrderKind(StrEnum):
    """What a queued order asks for, and so which DAG the queue starts for it."""

    ONBOARD = "onboard"
    """A new customer (an order without a kind, as every order before kinds existed)."""
    CHANGE = "change"
    """An existing customer to make what the order says (``webex_wholesale_change``)."""
    OFFBOARD = "offboard"
    """A customer to delete (``webex_wholesale_offboarding``)."""

    @property
    def dag_id(self) -> str:
        """The DAG the queue starts for an order of this kind."""
        return {
            OrderKind.ONBOARD: ONBOARDING_DAG_ID,
            OrderKind.CHANGE: CHANGE_DAG_ID,
            OrderKind.OFFBOARD: OFFBOARDING_DAG_ID,
        }[self]

    @property
    def run_title(self) -> str:
        """What a page calls a run of this kind's DAG."""
        return {
            OrderKind.ONBOARD: "Onboarding run",
            OrderKind.CHANGE: "Change run",
            OrderKind.OFFBOARD: "Offboarding run",
        }[self]

    @classmethod
    def of_dag(cls, dag_id: str) -> OrderKind | None:
        """The kind whose DAG ``dag_id`` is; ``None`` for any other DAG."""
        return next((kind for kind in cls if kind.dag_id == dag_id), None)


class AuditKind(StrEnum):
    """What an audit record is about."""

    API_CALL = "api_call"
    SUBSCRIBER_OUTCOME = "subscriber_outcome"
    CHANGE = "change"
    """One change a lifecycle run applied to a customer or a user, with its ``before`` and ``after``."""


class AuditResult(StrEnum):
    """An audit record's result: an API call's (``ok``, ``error``, ``no_response``) or a subscriber's outcome."""

    OK = "ok"
    """The call was answered below 400 (its ``attempts`` column says after how many tries)."""
    ERROR = "error"
    """The call was answered 400 or above, after its last attempt."""
    NO_RESPONSE = "no_response"
    """No answer at all (timeout, connection error) after every attempt."""
    PROVISIONED = SubscriberResult.PROVISIONED.value
    PENDING_USER_MIGRATION = SubscriberResult.PENDING_USER_MIGRATION.value
    ALREADY_PRESENT = SubscriberResult.ALREADY_PRESENT.value
    FAILED = SubscriberResult.FAILED.value

    @classmethod
    def of_call(cls, http_status: int | None) -> AuditResult:
        """The result of a call that ended with ``http_status`` (``None``: no answer)."""
        if http_status is None:
            return cls.NO_RESPONSE
        return cls.OK if http_status < 400 else cls.ERROR

    @property
    def is_failure(self) -> bool:
        """Whether the record tells of something going wrong (the pages and ``show`` list those first)."""
        return self in AUDIT_FAILURES


#: The results that tell of something going wrong: an HTTP error, no answer, or a failed subscriber.
AUDIT_FAILURES = frozenset({AuditResult.ERROR, AuditResult.NO_RESPONSE, AuditResult.FAILED})
