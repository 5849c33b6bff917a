"""How a person answered a plan's approval (or why nobody had to): the one reading of Airflow's HITL answer."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from webex_wholesale.models._base import CamelModel

__all__ = ["APPROVE", "REJECT", "Approval", "ApprovalDecision"]

#: The options of Airflow's ``ApprovalOperator``, as it spells them.
APPROVE = "Approve"
REJECT = "Reject"


class ApprovalDecision(StrEnum):
    """What became of a plan that was shown for approval."""

    NOT_NEEDED = "not_needed"
    """The plan only adds, and no Variable asks for every change to wait: it applies without waiting."""
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    """Nobody answered before the timeout: counted as rejected, nothing applied."""

    @property
    def applies(self) -> bool:
        """Whether the plan goes on to be applied."""
        return self in (ApprovalDecision.NOT_NEEDED, ApprovalDecision.APPROVED)


class Approval(CamelModel):
    """The decision, who made it and when (``None`` when nobody did)."""

    decision: ApprovalDecision
    by: str | None = None
    at: str | None = None

    @classmethod
    def of_answer(cls, answer: dict[str, Any], *, timed_out: bool) -> Approval:
        """Read ``ApprovalOperator``'s answer (``chosen_options``, ``responded_by_user``, ``responded_at``).

        A timeout answers with the operator's default (``Reject``) and no user: it is ``expired``.
        """
        user = answer.get("responded_by_user") or {}
        at = answer.get("responded_at")
        if timed_out:
            decision = ApprovalDecision.EXPIRED
        elif APPROVE in (answer.get("chosen_options") or []):
            decision = ApprovalDecision.APPROVED
        else:
            decision = ApprovalDecision.REJECTED
        return cls(
            decision=decision,
            by=user.get("name") or user.get("id"),
            at=at.isoformat() if hasattr(at, "isoformat") else at,
        )
