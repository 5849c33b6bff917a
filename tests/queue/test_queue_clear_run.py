"""Airflow's own "Clear run" on a queued order's failed run, under the real scheduler: it retries the order.

The order's run fails (Webex refuses its onboarding template); the run is then cleared over REST, as the button in
Airflow's UI does. The cleared run must onboard nothing (no request reaches Webex) and leave the failed run's
report as it was, and the order must be back in the queue saying why; the next round of the queue DAG then starts
it again as a new attempt under its own run id.
"""

from __future__ import annotations

import pytest
from queue_stack import DEADLINE_S, queue_stack, wait_for
from state_helpers import order_data

from webex_wholesale.state import orders

# Several waits, each bounded by DEADLINE_S on its own.
pytestmark = [pytest.mark.scheduler, pytest.mark.timeout(3 * DEADLINE_S)]

REFUSED = {**order_data("cleared-clinic-1", subscribers=2), "provisioningId": "no-such-template"}
ENDED = ("success", "failed")


def test_clearing_a_failed_queued_run_retries_its_order_and_keeps_its_report(tmp_path):
    with queue_stack(tmp_path, [REFUSED]) as stack:
        stack.start_queue_round()
        failed = wait_for(lambda: orders.list_orders(stack.engine, "failed"), "the order to fail")
        (order,) = failed
        run_id = order["dag_run_id"]
        wait_for(lambda: stack.onboarding_runs().get(run_id, {}).get("state") in ENDED, "its run to end")
        (first,) = orders.order_runs(stack.engine, order["id"])
        requests_before = len(stack.api_requests())

        cleared = stack.airflow.post(f"dags/webex_wholesale_onboarding/dagRuns/{run_id}/clear", {"dry_run": False})
        assert cleared.status_code == 200
        wait_for(lambda: orders.find_order(stack.engine, order["id"])["state"] == "queued", "the order to be queued")
        wait_for(lambda: stack.onboarding_runs()[run_id]["state"] in ENDED, "the cleared run to end")
        assert len(stack.api_requests()) == requests_before  # the cleared run sent nothing to Webex

        stack.start_queue_round()
        retried = wait_for(
            lambda: (
                orders.find_order(stack.engine, order["id"])["state"] == "failed"
                and len(orders.order_runs(stack.engine, order["id"])) == 2
            ),
            "the retried order to end",
        )
        assert retried

    (kept, again) = orders.order_runs(stack.engine, order["id"])
    assert (kept["dag_run_id"], kept["state"], kept["report_json"]) == (run_id, "failed", first["report_json"])
    assert kept["report_json"]["externalId"] == "cleared-clinic-1"
    assert (again["dag_run_id"], again["report_json"]["runId"]) == (f"{run_id}-2", f"{run_id}-2")
    reasons = [t["reason"] for t in orders.order_transitions(stack.engine, order["id"])]
    assert f"retry requested by clearing its run {run_id}" in reasons
    assert orders.find_order(stack.engine, order["id"])["attempts"] == 2
