"""The queue under the real scheduler: ``airflow standalone`` (scheduler, DAG processor, triggerer, api-server;
LocalExecutor) in a throw-away AIRFLOW_HOME on a free port, the simulator as its own process, orders queued with
the ``wholesale-queue`` console script and a round of the queue DAG triggered over REST. The tests share one
stack (starting Airflow takes half a minute) and each looks only at its own orders.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from queue_stack import DEADLINE_S, SIM_TOKEN, QueueStack, queue_stack, wait_for
from sqlalchemy import select
from state_helpers import order_data

from webex_wholesale.state import orders
from webex_wholesale.state.schema import audit_table, metadata

# Several waits, each bounded by DEADLINE_S on its own.
pytestmark = [pytest.mark.scheduler, pytest.mark.timeout(3 * DEADLINE_S)]

ENDED = ("success", "failed")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[QueueStack]:
    with queue_stack(tmp_path_factory.mktemp("queue-stack")) as running:
        yield running


def test_three_queued_orders_are_onboarded_by_the_queue_dag(stack):
    """3 queued orders onboarded by one round: 3 succeeded orders, their runs and reports, an audit row per changing
    API call and per subscriber, and the simulator's token nowhere in the state database."""
    queued = [order_data(f"e2e-clinic-{n}", subscribers=3) for n in range(1, 4)]
    ids = stack.queue(queued)
    engine = stack.engine

    def mine() -> list[dict]:
        return [o for o in orders.list_orders(engine) if o["id"] in ids]

    def my_runs() -> dict[str, dict]:
        return {run_id: run for run_id, run in stack.onboarding_runs().items() if run_id in {f"order-{i}" for i in ids}}

    stack.start_queue_round()
    wait_for(lambda: all(o["state"] in ("succeeded", "failed", "needs_attention") for o in mine()), "the orders to end")
    # The order's outcome is recorded by the report teardown; the run itself ends a moment later, with its final leaf.
    wait_for(lambda: len(my_runs()) == 3 and all(r["state"] in ENDED for r in my_runs().values()), "the runs to end")
    onboarding = list(my_runs().values())

    stored = mine()
    assert [(o["external_id"], o["state"], o["attempts"]) for o in stored] == [
        (f"e2e-clinic-{n}", "succeeded", 1) for n in range(1, 4)
    ], [o["last_error"] for o in stored]
    assert {r["dag_run_id"]: r["state"] for r in onboarding} == {f"order-{o['id']}": "success" for o in stored}
    assert {r["dag_run_id"]: r["conf"] for r in onboarding} == {
        f"order-{o['id']}": {"orderId": o["id"]} for o in stored
    }

    for order, sent in zip(stored, queued, strict=True):
        (run,) = orders.order_runs(engine, order["id"])
        assert (run["state"], run["report_json"]["outcome"]) == ("succeeded", "succeeded")
        assert order["customer_id"] == run["customer_id"] == run["report_json"]["customerId"]
        audit = orders.order_audit(engine, order["id"])
        calls = [(a["method"], a["path"], a["http_status"]) for a in audit if a["kind"] == "api_call"]
        assert sum(1 for m, p, _ in calls if m == "POST" and p.endswith("/wholesale/customers")) == 1, calls
        subscriber_posts = [
            a for a in audit if a["kind"] == "api_call" and a["path"].endswith("/wholesale/subscribers")
        ]
        emails = sorted(s["email"] for s in sent["subscribers"])
        assert sorted(a["subscriber_email"] for a in subscriber_posts) == emails
        assert all(a["tracking_id"] and a["dag_run_id"] == f"order-{order['id']}" for a in subscriber_posts)
        outcomes = [a for a in audit if a["kind"] == "subscriber_outcome"]
        assert len(outcomes) == 3
        assert {a["customer_id"] for a in audit if a["kind"] == "subscriber_outcome"} == {order["customer_id"]}

    with engine.connect() as conn:
        for table in metadata.tables.values():
            dump = repr(conn.execute(select(table)).all())
            assert SIM_TOKEN not in dump, f"the simulator token is in {table.name}"
        assert conn.execute(select(audit_table.c.id)).first() is not None


def test_clearing_a_failed_queued_run_retries_its_order_and_keeps_its_report(stack):
    """Airflow's own "Clear run" on a queued order's failed run (Webex refuses its onboarding template), over REST as
    the UI's button does: the cleared run onboards nothing (no request reaches Webex) and leaves the failed run's
    report as it was; the order is back in the queue saying why, and the next round starts it again as a new
    attempt under its own run id."""
    refused = {**order_data("cleared-clinic-1", subscribers=2), "provisioningId": "no-such-template"}
    (order_id,) = stack.queue([refused])
    stack.start_queue_round()
    wait_for(lambda: orders.find_order(stack.engine, order_id)["state"] == "failed", "the order to fail")
    run_id = orders.find_order(stack.engine, order_id)["dag_run_id"]
    wait_for(lambda: stack.onboarding_runs().get(run_id, {}).get("state") in ENDED, "its run to end")
    (first,) = orders.order_runs(stack.engine, order_id)
    requests_before = len(stack.api_requests())

    cleared = stack.airflow.post(f"dags/webex_wholesale_onboarding/dagRuns/{run_id}/clear", {"dry_run": False})
    assert cleared.status_code == 200
    wait_for(lambda: orders.find_order(stack.engine, order_id)["state"] == "queued", "the order to be queued")
    wait_for(lambda: stack.onboarding_runs()[run_id]["state"] in ENDED, "the cleared run to end")
    assert len(stack.api_requests()) == requests_before  # the cleared run sent nothing to Webex

    stack.start_queue_round()
    retried = wait_for(
        lambda: (
            orders.find_order(stack.engine, order_id)["state"] == "failed"
            and len(orders.order_runs(stack.engine, order_id)) == 2
        ),
        "the retried order to end",
    )
    assert retried

    (kept, again) = orders.order_runs(stack.engine, order_id)
    assert (kept["dag_run_id"], kept["state"], kept["report_json"]) == (run_id, "failed", first["report_json"])
    assert kept["report_json"]["externalId"] == "cleared-clinic-1"
    assert (again["dag_run_id"], again["report_json"]["runId"]) == (f"{run_id}-2", f"{run_id}-2")
    reasons = [t["reason"] for t in orders.order_transitions(stack.engine, order_id)]
    assert f"retry requested by clearing its run {run_id}" in reasons
    assert orders.find_order(stack.engine, order_id)["attempts"] == 2
