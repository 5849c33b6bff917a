"""The order life cycle: every allowed transition works and is recorded with its time; every other is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from state_helpers import queued

from webex_wholesale.models.states import OrderState
from webex_wholesale.state import orders, runs
from webex_wholesale.state.machine import ALLOWED_TRANSITIONS, IllegalTransition

DAG_ID = "webex_wholesale_onboarding"


def order_in_state(engine, state: str, name: str) -> int:
    """Bring a new order to ``state`` the way the queue and the runs do."""
    (order_id,) = orders.enqueue(engine, [queued(name)])
    if state == "queued":
        return order_id
    if state == "cancelled":
        orders.cancel(engine, order_id)
        return order_id
    claimed = [c for c in orders.claim(engine, 100) if c.order_id == order_id]
    if state == "claimed":
        return order_id
    runs.begin_order_run(engine, order_id, DAG_ID, claimed[0].dag_run_id)
    if state != "running":
        runs.finish_run(engine, claimed[0].dag_run_id, state, error=None if state == "succeeded" else "why")
    return order_id


def test_the_life_cycle_covers_every_state():
    assert set(ALLOWED_TRANSITIONS) == set(OrderState)
    assert ALLOWED_TRANSITIONS["succeeded"] == frozenset()
    assert ALLOWED_TRANSITIONS["cancelled"] == frozenset()


def test_every_transition_is_allowed_or_refused_as_the_life_cycle_says(engine):
    before = datetime.now(UTC) - timedelta(seconds=1)
    for index, (source, target) in enumerate(product(OrderState, OrderState)):
        order_id = order_in_state(engine, source, f"cust-{index}")
        history = orders.order_transitions(engine, order_id)
        assert history[-1]["to_state"] == source
        with engine.begin() as conn:
            if target in ALLOWED_TRANSITIONS[source]:
                assert orders.transition(conn, order_id, target, "test") == source
            else:
                with pytest.raises(IllegalTransition, match=f"from '{source}' to '{target}'"):
                    orders.transition(conn, order_id, target, "test")
        after = orders.order_transitions(engine, order_id)
        if target in ALLOWED_TRANSITIONS[source]:
            assert orders.find_order(engine, order_id)["state"] == target
            assert (after[-1]["from_state"], after[-1]["to_state"], after[-1]["reason"]) == (source, target, "test")
            assert before <= after[-1]["at"] <= datetime.now(UTC)
            assert after[-1]["at"].tzinfo is not None
        else:
            assert orders.find_order(engine, order_id)["state"] == source
            assert after == history


def test_history_records_each_step_of_a_queued_order_in_order(engine):
    order_id = order_in_state(engine, "succeeded", "happy-path")
    history = orders.order_transitions(engine, order_id)
    assert [(h["from_state"], h["to_state"]) for h in history] == [
        (None, "queued"),
        ("queued", "claimed"),
        ("claimed", "running"),
        ("running", "succeeded"),
    ]
    times = [h["at"] for h in history]
    assert times == sorted(times)


def test_retry_makes_a_new_attempt_with_its_own_run_id(engine):
    order_id = order_in_state(engine, "failed", "retry-me")
    assert orders.find_order(engine, order_id)["dag_run_id"] == f"order-{order_id}"
    orders.retry(engine, order_id, requested_by="dana (wholesale-queue retry)")
    assert orders.order_transitions(engine, order_id)[-1]["reason"] == "retry requested by dana (wholesale-queue retry)"
    (claim,) = orders.claim(engine, 10)
    assert (claim.order_id, claim.attempt, claim.dag_run_id) == (order_id, 2, f"order-{order_id}-2")
    row = orders.find_order(engine, order_id)
    assert (row["attempts"], row["dag_run_id"], row["state"]) == (2, f"order-{order_id}-2", "claimed")
