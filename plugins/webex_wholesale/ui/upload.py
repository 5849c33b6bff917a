"""The "Add orders" form's two steps: show what would be queued, then queue exactly that on confirmation.

The preview carries the validated orders back to the browser as JSON (a hidden field of the confirmation form),
so the api-server keeps nothing between the two requests; the confirmation is validated again on its way in
(:mod:`.intake`), as any request is, so a changed field cannot slip past the rules.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from webex_wholesale.state.orders import QueuedOrder

__all__ = ["PreviewRow", "confirmation", "preview"]


@dataclass(frozen=True)
class PreviewRow:
    """One order as the preview lists it."""

    external_id: str
    customer_name: str
    subscribers: int


def preview(queued: Sequence[QueuedOrder]) -> list[PreviewRow]:
    return [
        PreviewRow(
            external_id=item.order.external_id,
            customer_name=item.order.customer_info.name if item.order.customer_info else "",
            subscribers=len(item.order.subscribers),
        )
        for item in queued
    ]


def confirmation(queued: Sequence[QueuedOrder]) -> str:
    """The orders as the JSON list the confirmation posts back (the ``orders`` part of the upload form)."""
    return json.dumps([item.order.to_conf() for item in queued], separators=(",", ":"))
