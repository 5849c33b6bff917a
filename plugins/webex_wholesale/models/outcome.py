"""What the pipeline reports for each subscriber of an order: one record per user, JSON-safe for XCom."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from webex_wholesale.http_status import is_transient_status
from webex_wholesale.models._base import CamelModel
from webex_wholesale.models.responses import SubscriberStatus


class SubscriberResult(StrEnum):
    """How provisioning one user ended, from the order's point of view."""

    PROVISIONED = "provisioned"
    PENDING_USER_MIGRATION = "pending_user_migration"
    """Accepted, but an existing free Webex user must consent to the move; not a failure."""
    ALREADY_PRESENT = "already_present"
    """Found on the customer before we posted (a re-run or a timed-out POST that succeeded)."""
    FAILED = "failed"

    @classmethod
    def held(cls, status: SubscriberStatus) -> SubscriberResult:
        """The result for a subscriber Webex holds in ``status``: a pending move, else provisioned."""
        if status == SubscriberStatus.PENDING_USER_MIGRATION:
            return cls.PENDING_USER_MIGRATION
        return cls.PROVISIONED


class SubscriberOutcome(CamelModel):
    """The outcome for one user: enough for the onboarding report to say what happened and why."""

    email: str
    result: SubscriberResult
    #: The name the order gave (``first last``), so a person reading the report knows who the email is.
    name: str | None = None
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

    @property
    def is_transient(self) -> bool:
        """A failure a retry may fix: no HTTP answer (timeout, unknown outcome, unexpected error) or a status
        Webex documents as temporary (423, 429, 5xx). Any other 4xx is a permanent refusal."""
        return self.failed and (self.http_status is None or is_transient_status(self.http_status))
