"""A customer with 5,000 subscribers: far past max_map_length (1024) in users, a handful of mapped tasks."""

from __future__ import annotations

import pytest
from dag_helpers import DEMO_ORDER, order_with
from local_stack import DAG_RUN_CONF_OVERRIDES_PARAMS

# 5,000 POSTs to the simulator: longer than the default bound on a loaded machine.
pytestmark = [pytest.mark.airflow_run, pytest.mark.timeout(900)]

SUBSCRIBERS = 5000


@pytest.fixture(autouse=True)
def deployed_conf_handling(monkeypatch):
    """Airflow as deployed (docs/configuration.md): the conf is validated once, when the run is created, not again
    by every task against the form (Airflow's default re-validates 5,000 users per task: a sixth of this test)."""
    monkeypatch.setenv("AIRFLOW__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS", DAG_RUN_CONF_OVERRIDES_PARAMS)


def test_five_thousand_subscribers_run_to_completion(run_order):
    users = [
        {
            "email": f"user{i:05d}@big-customer.example.com",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": "User", "lastName": f"{i:05d}"},
        }
        for i in range(2, SUBSCRIBERS + 1)
    ]
    order = order_with(externalId="big-customer-5000", subscribers=[DEMO_ORDER["subscribers"][0], *users])

    run = run_order(order)

    assert run.state == "success", run.task_states
    mapped = [t for t in run.task_states if t.startswith("provision_subscribers[")]
    assert 1 < len(mapped) < 1024
    assert run.report["counts"] == {"provisioned": SUBSCRIBERS}
    assert len(run.sim_state["subscribers"]) == SUBSCRIBERS
    assert run.sim_state["admins"] == {run.report["customerId"]: DEMO_ORDER["subscribers"][0]["email"]}
