"""The order's life cycle: which state may follow which, and nothing else.

::

    (enqueue) -> queued -> claimed -> running -> succeeded
                   ^  |      |  |        |----> failed ----------+--> queued (retry)
                   |  |      |  |        `----> needs_attention -+--> cancelled
                   |  |      |  `-> failed (its run ended or vanished before it started)
                   |  |      `-> queued (released: its run could not be started)
                   |  `-> cancelled
                   `-- (retry from failed / needs_attention)

``succeeded`` and ``cancelled`` are final. A ``running`` order cannot be cancelled here: its DAG run is doing
the work, so stop that run in Airflow first (the run then records ``failed``) and cancel afterwards.
"""

from __future__ import annotations

from types import MappingProxyType

from webex_wholesale.state.schema import ORDER_STATES

__all__ = [
    "ACTIVE_STATES",
    "ALLOWED_TRANSITIONS",
    "FINAL_STATES",
    "IllegalTransition",
    "can_cancel",
    "can_retry",
    "check_transition",
]

ALLOWED_TRANSITIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "queued": frozenset({"claimed", "cancelled"}),
        "claimed": frozenset({"running", "queued", "failed"}),
        "running": frozenset({"succeeded", "failed", "needs_attention"}),
        "failed": frozenset({"queued", "cancelled"}),
        "needs_attention": frozenset({"queued", "cancelled"}),
        "succeeded": frozenset(),
        "cancelled": frozenset(),
    }
)
assert set(ALLOWED_TRANSITIONS) == set(ORDER_STATES), "every order state needs a row in ALLOWED_TRANSITIONS"

FINAL_STATES = frozenset(state for state, targets in ALLOWED_TRANSITIONS.items() if not targets)
#: States in which an order belongs to the queue or to a run: another order with its externalId is refused.
ACTIVE_STATES = frozenset({"queued", "claimed", "running"})


def can_retry(state: str) -> bool:
    """Whether a person may queue an order in ``state`` again: it has left the queue and may go back to it."""
    return state not in ACTIVE_STATES and "queued" in ALLOWED_TRANSITIONS[state]


def can_cancel(state: str) -> bool:
    """Whether an order in ``state`` may be cancelled."""
    return "cancelled" in ALLOWED_TRANSITIONS[state]


class IllegalTransition(ValueError):
    """A state change the life cycle does not allow (the order is left as it was)."""

    def __init__(self, order_id: int, from_state: str, to_state: str) -> None:
        self.order_id, self.from_state, self.to_state = order_id, from_state, to_state
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS.get(from_state, ()))) or "none: it is final"
        super().__init__(
            f"order {order_id} cannot go from {from_state!r} to {to_state!r} (allowed from {from_state!r}: {allowed})"
        )


def check_transition(order_id: int, from_state: str, to_state: str) -> None:
    """Raise :class:`IllegalTransition` unless ``from_state -> to_state`` is allowed."""
    if to_state not in ALLOWED_TRANSITIONS.get(from_state, ()):
        raise IllegalTransition(order_id, from_state, to_state)
