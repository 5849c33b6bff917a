"""End to end under the real scheduler: 3 queued orders onboarded on the simulator by the queue DAG.

``airflow standalone`` (scheduler, DAG processor, triggerer, api-server; LocalExecutor) runs in a throw-away
AIRFLOW_HOME on a free port; the simulator runs as its own process. The orders go in through the
``wholesale-queue`` console script, one round of the queue DAG is triggered over REST, and the test waits for the
orders to end. Then the state database must hold: 3 succeeded orders, their runs and reports, an audit row per
changing API call and per subscriber, and the simulator's token nowhere.
"""

from __future__ import annotations

import pytest
from queue_stack import DEADLINE_S, SIM_TOKEN, queue_stack, wait_for
from sqlalchemy import select
from state_helpers import order_data

from webex_wholesale.state import orders
from webex_wholesale.state.schema import audit_table, metadata

ORDERS = [order_data(f"e2e-clinic-{n}", subscribers=3) for n in range(1, 4)]
# Three waits (the DAG parsed, the orders onboarded, the runs listed), each bounded by DEADLINE_S on its own.
pytestmark = [pytest.mark.scheduler, pytest.mark.timeout(2 * DEADLINE_S)]


def test_three_queued_orders_are_onboarded_by_the_queue_dag(tmp_path):
    with queue_stack(tmp_path, ORDERS) as stack:
        engine = stack.engine
        stack.start_queue_round()
        wait_for(
            lambda: all(o["state"] in ("succeeded", "failed", "needs_attention") for o in orders.list_orders(engine)),
            "the three orders to end",
        )
        # The order's outcome is recorded by the report teardown; the run itself ends a moment later, with
        # its final leaf.
        wait_for(
            lambda: all(r["state"] in ("success", "failed") for r in stack.onboarding_runs().values()),
            "the three onboarding runs to end",
        )
        onboarding = list(stack.onboarding_runs().values())

    stored = orders.list_orders(engine)
    assert [(o["external_id"], o["state"], o["attempts"]) for o in stored] == [
        (f"e2e-clinic-{n}", "succeeded", 1) for n in range(1, 4)
    ], [o["last_error"] for o in stored]
    assert {r["dag_run_id"]: r["state"] for r in onboarding} == {f"order-{o['id']}": "success" for o in stored}
    assert {r["dag_run_id"]: r["conf"] for r in onboarding} == {
        f"order-{o['id']}": {"orderId": o["id"]} for o in stored
    }

    for order in stored:
        (run,) = orders.order_runs(engine, order["id"])
        assert (run["state"], run["report_json"]["outcome"]) == ("succeeded", "succeeded")
        assert order["customer_id"] == run["customer_id"] == run["report_json"]["customerId"]
        audit = orders.order_audit(engine, order["id"])
        calls = [(a["method"], a["path"], a["http_status"]) for a in audit if a["kind"] == "api_call"]
        assert sum(1 for m, p, _ in calls if m == "POST" and p.endswith("/wholesale/customers")) == 1, calls
        subscriber_posts = [
            a for a in audit if a["kind"] == "api_call" and a["path"].endswith("/wholesale/subscribers")
        ]
        assert sorted(a["subscriber_email"] for a in subscriber_posts) == sorted(
            s["email"] for s in ORDERS[order["id"] - 1]["subscribers"]
        )
        assert all(a["tracking_id"] and a["dag_run_id"] == f"order-{order['id']}" for a in subscriber_posts)
        outcomes = [a for a in audit if a["kind"] == "subscriber_outcome"]
        assert len(outcomes) == 3
        assert {a["customer_id"] for a in audit if a["kind"] == "subscriber_outcome"} == {order["customer_id"]}

    with engine.connect() as conn:
        for table in metadata.tables.values():
            dump = repr(conn.execute(select(table)).all())
            assert SIM_TOKEN not in dump, f"the simulator token is in {table.name}"
        assert conn.execute(select(audit_table.c.id)).first() is not None
