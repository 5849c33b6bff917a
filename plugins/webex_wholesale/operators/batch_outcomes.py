"""A batch's subscriber outcomes as XCom carries them: one per subscriber of the batch, in its order, without the
email.

The batch's input (the subscribers it sends) is already in XCom, and a 20,000-subscriber order must be held there
once: every email again in the outcomes doubled what a run keeps and what the report task loads. The report puts
the two back together (:func:`join_outcomes`); the state database keeps the full table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webex_wholesale.models import SubscriberOutcome

__all__ = ["join_outcomes", "publish_outcomes"]

#: The field the batch's input holds already.
_EMAIL = "email"


def publish_outcomes(outcomes: Sequence[SubscriberOutcome]) -> list[dict[str, Any]]:
    """The outcomes (one per subscriber of the batch, in its order) as XCom JSON, without their emails."""
    return [o.model_dump(mode="json", exclude={_EMAIL}) for o in outcomes]


def join_outcomes(
    subscribers: Sequence[Mapping[str, Any]], published: Sequence[Mapping[str, Any]] | None
) -> list[dict[str, Any]]:
    """The published outcomes with their subscribers' emails again (none when the batch published none: its
    listing failed before any subscriber was handled)."""
    if not published:
        return []
    return [{_EMAIL: s[_EMAIL], **o} for s, o in zip(subscribers, published, strict=True)]
