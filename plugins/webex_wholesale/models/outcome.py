"""What the pipeline reports for each subscriber of an order: one record per user, JSON-safe for XCom."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from webex_wholesale.models._base import CamelModel


class SubscriberResult(StrEnum):
    """How provisioning one user ended, from the order's point of view."""

    PROVISIONED = "provisioned"
    PENDING_USER_MIGRATION = "pending_user_migration"
    """Accepted, but an existing free Webex user must consent to the move; not a failure."""
    ALREADY_PRESENT = "already_present"
    """Found on the customer before we posted (a re-run or a timed-out POST that succeeded)."""
    FAILED = "failed"


class SubscriberOutcome(CamelModel):
    """The outcome for one user: enough for the onboarding report to say what happened and why."""

    email: str
    result: SubscriberResult
    is_admin: bool = False
    subscriber_id: str | None = None
    status: str | None = None
    package: str | None = None
    http_status: int | None = None
    error_codes: list[int] = Field(default_factory=list)
    message: str | None = None
    tracking_id: str | None = None
    attempts: int = Field(1, ge=1)

    @property
    def failed(self) -> bool:
        return self.result is SubscriberResult.FAILED
