"""End to end under the real scheduler: 3 queued orders onboarded on the simulator by the queue DAG.

``airflow standalone`` (scheduler, DAG processor, triggerer, api-server; LocalExecutor) runs in a throw-away
AIRFLOW_HOME on a free port; the simulator runs as its own process. The orders go in through the
``wholesale-queue`` console script, one round of the queue DAG is triggered over REST, and the test waits for the
orders to end. Then the state database must hold: 3 succeeded orders, their runs and reports, an audit row per
changing API call and per subscriber, and the simulator's token nowhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from state_helpers import ROOT, order_data

from webex_wholesale.state import migrate, orders
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.schema import audit_table, metadata

sys.path.insert(0, str(ROOT / "scripts"))
from local_stack import SIM_TOKEN, free_port, simulator, standalone, standalone_env

ORDERS = [order_data(f"e2e-clinic-{n}", subscribers=3) for n in range(1, 4)]
DEADLINE_S = 600  # a bound for a stuck run, not a speed budget
# Three waits (the DAG parsed, the orders onboarded, the runs listed), each bounded by DEADLINE_S on its own.
pytestmark = [pytest.mark.scheduler, pytest.mark.timeout(2 * DEADLINE_S)]


def wait_for(condition, what: str, timeout: float = DEADLINE_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(2)
    raise AssertionError(f"timed out waiting for {what}")


def test_three_queued_orders_are_onboarded_by_the_queue_dag(tmp_path):
    state_url = f"sqlite:///{tmp_path / 'wholesale.db'}"
    engine = create_state_engine(state_url)
    migrate.upgrade(engine)
    orders_file = tmp_path / "orders.json"
    orders_file.write_text(json.dumps(ORDERS))

    with simulator(free_port(), "--provision-delay", "1", log_path=tmp_path / "sim.log") as sim_url:
        env = standalone_env(
            tmp_path / "airflow-home",
            sim_url,
            free_port(),
            fresh=True,
            AIRFLOW_CONN_WHOLESALE_DB=state_url,
            WEBEX_WHOLESALE_QUEUE_SCHEDULE="none",
            # tests/conftest.py sets unit-test mode for this process; in it every Airflow process would sign its
            # Execution API tokens with its own random secret, and the api-server would refuse the workers'.
            AIRFLOW__CORE__UNIT_TEST_MODE="False",
            # A loaded CI machine answers slowly; Airflow's 5 s default fails tasks that would have run.
            AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT="60",
        )
        added = subprocess.run(
            [Path(sys.executable).with_name("wholesale-queue"), "add", orders_file],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert added.stdout.count("queued order") == 3
        with standalone(env, tmp_path / "standalone.log") as local:
            pool = {"name": "webex_wholesale_api", "slots": 4, "include_deferred": False}
            assert local.post("pools", pool).status_code == 201  # asked again while SQLite is locked
            runs_url = f"{local.base_url}/api/v2/dags/webex_wholesale_queue/dagRuns"
            # 404 until the DAG processor has parsed the DAG folder for the first time.
            wait_for(
                lambda: local.rest.post(runs_url, json={"logical_date": None}, timeout=60).status_code == 200,
                "the queue DAG to be parsed and triggered",
            )
            wait_for(
                lambda: all(
                    o["state"] in ("succeeded", "failed", "needs_attention") for o in orders.list_orders(engine)
                ),
                "the three orders to end",
            )
            onboarding_url = f"{local.base_url}/api/v2/dags/webex_wholesale_onboarding/dagRuns"
            # The order's outcome is recorded by the report teardown; the run itself ends a moment later, with
            # its final leaf.
            wait_for(
                lambda: all(
                    r["state"] in ("success", "failed")
                    for r in local.rest.get(onboarding_url, timeout=30).json()["dag_runs"]
                ),
                "the three onboarding runs to end",
            )
            onboarding = local.rest.get(onboarding_url, timeout=30).json()["dag_runs"]

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
