"""The "Add orders" form's two steps: show what would be queued, then queue exactly that on confirmation.

The preview carries the validated orders back to the browser as JSON (a hidden field of the confirmation form),
so the api-server keeps nothing between the two requests; the confirmation is validated again on its way in
(:mod:`.intake`), as any request is, so a changed field cannot slip past the rules.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from webex_wholesale.queue.loader import NOT_BEFORE
from webex_wholesale.state.orders import QueuedOrder

__all__ = ["PreviewRow", "confirmation", "preview"]


@dataclass(frozen=True)
class PreviewRow:
    """One order as the preview lists it."""

    external_id: str
    customer_name: str
    subscribers: int
    not_before: datetime | None


def preview(queued: Sequence[QueuedOrder]) -> list[PreviewRow]:
    return [
        PreviewRow(item.order.external_id, item.customer_name, len(item.order.subscribers), item.not_before)
        for item in queued
    ]


def _as_posted(item: QueuedOrder) -> dict[str, Any]:
    due = {NOT_BEFORE: item.not_before.isoformat()} if item.not_before else {}
    return {**item.order.to_conf(), **due}


def confirmation(queued: Sequence[QueuedOrder]) -> str:
    """The orders as the JSON list the confirmation posts back (the ``orders`` part of the upload form)."""
    return json.dumps([_as_posted(item) for item in queued], separators=(",", ":"))
