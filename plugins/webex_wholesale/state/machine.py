"""The order's life cycle: which state may follow which, and nothing else.

::

    (enqueue) -> queued -> claimed -> running -> succeeded | offboarded
                   ^  |      |  |        |----> failed ----------+--> queued (retry)
                   |  |      |  |        |----> needs_attention -+--> cancelled
                   |  |      |  |        `----> rejected --------'
                   |  |      |  `-> failed (its run ended or vanished before it started)
                   |  |      `-> queued (released: its run could not be started)
                   |  `-> cancelled
                   `-- (retry from failed / needs_attention / rejected)

``succeeded``, ``offboarded`` and ``cancelled`` are final. ``rejected``: a person rejected a change's or an
offboarding's plan (or nobody approved it in time), so nothing was applied. A ``running`` order cannot be
cancelled here: its DAG run is doing the work, so stop that run in Airflow first (the run then records ``failed``)
and cancel afterwards.
"""

from __future__ import annotations

from types import MappingProxyType

from webex_wholesale.models.states import OrderState

__all__ = [
    "ACTIVE_STATES",
    "ALLOWED_TRANSITIONS",
    "ASSIGNED_STATES",
    "ATTENTION_STATES",
    "IllegalTransition",
    "can_cancel",
    "can_retry",
    "check_transition",
]

QUEUED, CLAIMED, RUNNING = OrderState.QUEUED, OrderState.CLAIMED, OrderState.RUNNING
SUCCEEDED, FAILED, NEEDS_ATTENTION, CANCELLED = (
    OrderState.SUCCEEDED,
    OrderState.FAILED,
    OrderState.NEEDS_ATTENTION,
    OrderState.CANCELLED,
)
REJECTED, OFFBOARDED = OrderState.REJECTED, OrderState.OFFBOARDED

#: States in which an order is assigned to one DAG run (claimed for it, or being onboarded by it).
ASSIGNED_STATES = frozenset({CLAIMED, RUNNING})
#: States in which an order belongs to the queue or to a run: another order with its externalId is refused.
ACTIVE_STATES = frozenset({QUEUED, *ASSIGNED_STATES})
#: States that wait for a person: retry or cancel (the pages mark them). A rejected change or offboarding is
#: one: queue it again once the plan is right, or cancel it.
ATTENTION_STATES = frozenset({FAILED, NEEDS_ATTENTION, REJECTED})

ALLOWED_TRANSITIONS: MappingProxyType[OrderState, frozenset[OrderState]] = MappingProxyType(
    {
        QUEUED: frozenset({CLAIMED, CANCELLED}),
        CLAIMED: frozenset({RUNNING, QUEUED, FAILED}),
        RUNNING: frozenset({SUCCEEDED, FAILED, NEEDS_ATTENTION, REJECTED, OFFBOARDED}),
        **{state: frozenset({QUEUED, CANCELLED}) for state in ATTENTION_STATES},
        SUCCEEDED: frozenset(),
        OFFBOARDED: frozenset(),
        CANCELLED: frozenset(),
    }
)
assert set(ALLOWED_TRANSITIONS) == set(OrderState), "every order state needs a row in ALLOWED_TRANSITIONS"


def can_retry(state: OrderState) -> bool:
    """Whether a person may queue an order in ``state`` again (the order page's Retry button)."""
    return state in ATTENTION_STATES


def can_cancel(state: OrderState) -> bool:
    """Whether an order in ``state`` may be cancelled (the order page's Cancel button)."""
    return CANCELLED in ALLOWED_TRANSITIONS[state]


class IllegalTransition(ValueError):
    """A state change the life cycle does not allow (the order is left as it was)."""

    def __init__(self, order_id: int, from_state: str, to_state: str) -> None:
        self.order_id, self.from_state, self.to_state = order_id, from_state, to_state
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS.get(from_state, ()))) or "none: it is final"
        super().__init__(
            f"order {order_id} cannot go from '{from_state}' to '{to_state}' (allowed from '{from_state}': {allowed})"
        )


def check_transition(order_id: int, from_state: str, to_state: str) -> None:
    """Raise :class:`IllegalTransition` unless ``from_state -> to_state`` is allowed."""
    if to_state not in ALLOWED_TRANSITIONS.get(from_state, ()):
        raise IllegalTransition(order_id, from_state, to_state)
