"""Queued orders of each kind: stored with their kind, started in the DAG of their kind, reconciled against it."""

from __future__ import annotations

import pytest
from state_helpers import order_data, queued

from webex_wholesale.models import parse_order
from webex_wholesale.models.offboarding_order import OffboardingOrder
from webex_wholesale.models.states import OrderKind
from webex_wholesale.state import orders, runs
from webex_wholesale.state.orders import QueuedOrder


def offboard(external_id: str) -> QueuedOrder:
    order = OffboardingOrder.model_validate({"externalId": external_id, "confirmExternalId": external_id})
    return QueuedOrder(order, "test", kind=OrderKind.OFFBOARD)


def test_each_kind_is_claimed_for_the_dag_of_its_kind(engine):
    change = QueuedOrder(parse_order(order_data("kinds-change"), desired_state=True), "test", kind=OrderKind.CHANGE)
    ids = orders.enqueue(engine, [queued("kinds-onboard"), change, offboard("kinds-offboard")])

    claims = orders.claim(engine, 10)

    assert [(c.order_id, c.trigger_kwargs["trigger_dag_id"]) for c in claims] == [
        (ids[0], "webex_wholesale_onboarding"),
        (ids[1], "webex_wholesale_change"),
        (ids[2], "webex_wholesale_offboarding"),
    ]
    stored = orders.find_order(engine, ids[2])
    assert (stored["kind"], stored["order_json"], stored["customer_name"], stored["subscriber_count"]) == (
        OrderKind.OFFBOARD,
        {"externalId": "kinds-offboard", "confirmExternalId": "kinds-offboard"},
        "kinds-offboard",
        0,
    )


def test_reconcile_asks_airflow_about_the_run_of_the_order_s_kind(engine):
    orders.enqueue(engine, [offboard("kinds-reconcile")])
    [claim] = orders.claim(engine, 1)
    asked = []

    result = runs.reconcile(engine, lambda dag_id, run_id: asked.append((dag_id, run_id)))

    assert asked == [("webex_wholesale_offboarding", claim.dag_run_id)]
    assert result.to_trigger == [claim]


def test_an_offboarding_order_must_name_its_customer_twice():
    with pytest.raises(ValueError, match="must repeat externalId"):
        OffboardingOrder.model_validate({"externalId": "kinds-a", "confirmExternalId": "kinds-b"})
