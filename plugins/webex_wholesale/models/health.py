"""What the health check finds about a customer, as plain values: the kinds of finding, one finding, and what a
customer is checked against.

A finding is identified by its :attr:`Finding.key` (customer, kind, subject), so the same problem seen on the
next check is the same finding, one with a duration, not a new one. The state database keeps them
(:mod:`webex_wholesale.state.findings`); the check itself lives in :mod:`webex_wholesale.health`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from webex_wholesale.models._base import CamelModel

__all__ = ["Finding", "FindingKind", "HealthTarget", "duration_text"]


class FindingKind(StrEnum):
    """What is wrong with a customer (or with a run), each with what a person should do about it."""

    CUSTOMER_ERROR = "customer_error"
    PROVISIONED_WITH_ERRORS = "provisioned_with_errors"
    PENDING_RPL_REVIEW = "pending_rpl_review"
    CONSENT_OUTSTANDING = "consent_outstanding"
    DRIFT = "drift"
    UNREADABLE = "unreadable"
    STUCK_RUN = "stuck_run"

    @property
    def title(self) -> str:
        """A few words for a list or a message subject."""
        return _TITLES[self]

    @property
    def advice(self) -> str:
        """What to do, in one sentence."""
        return _ADVICE[self]


_TITLES = {
    FindingKind.CUSTOMER_ERROR: "customer in error",
    FindingKind.PROVISIONED_WITH_ERRORS: "packages with errors",
    FindingKind.PENDING_RPL_REVIEW: "held for Denied Party List review",
    FindingKind.CONSENT_OUTSTANDING: "subscribers waiting for consent",
    FindingKind.DRIFT: "drift from the order",
    FindingKind.UNREADABLE: "customer cannot be read",
    FindingKind.STUCK_RUN: "run not finished",
}
_ADVICE = {
    FindingKind.CUSTOMER_ERROR: "Read the errors in Partner Hub; fix the cause and run a change order, or offboard.",
    FindingKind.PROVISIONED_WITH_ERRORS: "Read the package errors; when Webex has recovered, run a change order.",
    FindingKind.PENDING_RPL_REVIEW: "Cisco's compliance review must clear the customer; contact your Cisco "
    "partner team if it takes days.",
    FindingKind.CONSENT_OUTSTANDING: "Ask the users to accept the move in the email Webex sent them.",
    FindingKind.DRIFT: "Someone changed the customer outside the pipeline: queue the repairing change order "
    "(Health page), or make the order say what Webex holds.",
    FindingKind.UNREADABLE: "Check the customer still exists in Partner Hub and the connection may read it.",
    FindingKind.STUCK_RUN: "Open the run in Airflow: a task may wait on Webex, or a triggerer or worker may be down.",
}


class Finding(CamelModel):
    """One problem seen by one check. JSON-safe; never holds a token or a request header."""

    external_id: str
    kind: FindingKind
    subject: str = ""
    """What the finding is about within the customer, when there can be several of a kind (a run id)."""
    summary: str
    customer_id: str | None = None
    customer_name: str | None = None
    order_id: int | None = None
    """The last order applied to the customer: the page a message links to, and what drift is measured against."""
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity across checks: the same key next hour is the same finding, still open."""
        return (self.external_id, self.kind.value, self.subject)


@dataclass(frozen=True)
class HealthTarget:
    """A customer to check: who it is, and the last order applied to it (``None``: known, but no order kept)."""

    external_id: str
    customer_id: str | None
    customer_name: str | None = None
    order_id: int | None = None
    order: dict[str, Any] | None = None
    """The order JSON (camelCase) that drift is measured against."""

    @property
    def sub_partner_org_id(self) -> str | None:
        """The sub-partner its order acted for (``onBehalfOfSubPartnerOrgId``): its reads must act for it too, or
        Webex answers as if the partner did not hold it. ``None``: the partner itself (or no order kept)."""
        return (self.order or {}).get("onBehalfOfSubPartnerOrgId")


def duration_text(duration: timedelta) -> str:
    """How long, to the minute, as people read a finding's age: ``3 d 4 h``, ``2 h 5 min``, ``7 min``."""
    minutes = max(0, int(duration.total_seconds() // 60))
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"
