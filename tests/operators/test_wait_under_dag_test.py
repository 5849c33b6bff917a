"""The deferrable wait under ``dag.test()``: the trigger runs in line (as the triggerer would run it), and each
outcome ends the task its own way. One DAG run with three waits keeps this to a single ``dag.test()``.

``dag.test()`` in Airflow 3.3 only runs DAGs that live in a configured bundle, so the test DAG sits in
``dag_files/`` and is added as a second bundle for this test only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import wire_connections
from wholesale_op_helpers import create_customer, order_with

from wholesale_sim.runtime import SimRuntime

pytestmark = pytest.mark.airflow_run

DAG_FILES = Path(__file__).resolve().parent / "dag_files"
DAG_ID = "webex_wait_operator_test"


@pytest.fixture
def wait_dag(airflow_db, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv(
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST",
        json.dumps(
            [
                {
                    "name": "dags-folder",
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                    "kwargs": {},
                },
                {
                    "name": "webex-operator-tests",
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                    "kwargs": {"path": str(DAG_FILES)},
                },
            ]
        ),
    )
    bag = DagBag(dag_folder=str(DAG_FILES))
    assert bag.import_errors == {}
    return bag.get_dag(DAG_ID)


def pull(session, dag_run, task_id: str, key: str):
    from airflow.models.xcom import XComModel

    row = session.scalar(XComModel.get_many(run_id=dag_run.run_id, key=key, dag_ids=DAG_ID, task_ids=task_id))
    return XComModel.deserialize_value(row) if row is not None else None


def customer_polled(sim: SimRuntime) -> bool:
    return any(method == "GET" and "/wholesale/customers/" in path for method, path, *_ in sim.state.request_log)


@pytest.fixture
def slow_sim(monkeypatch):
    """Customers stay ``provisioning`` until a wait has polled one, then their provisioning is over: the simulator's
    clock stands still until that first poll (however long dag.test() takes to start on a loaded machine; 12 s of
    real delay once was not enough), so the first wait defers, and its trigger sees the customer end."""
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    start = time.time()
    config = SimConfig(token="wait-test-token", provision_delay=1.0)
    monkeypatch.setattr(SimRuntime, "now", lambda sim: start + 2 * config.provision_delay * customer_polled(sim))
    with running_simulator(config) as sim:
        wire_connections(monkeypatch, sim, setup_assist=False)
        yield sim


def test_deferred_wait_ends_provisioned_error_and_on_hold_distinctly(wait_dag, slow_sim):
    from airflow.utils.session import create_session

    ok = create_customer(order_with())
    broken = create_customer(order_with(externalId="dagtest-provision-error-1"))
    held = create_customer(order_with(externalId="dagtest-rpl-review-1"))

    dag_run = wait_dag.test(run_conf={"ok": ok, "error": broken, "on_hold": held})

    with create_session() as session:
        states = {ti.task_id: ti.state for ti in dag_run.get_task_instances(session=session)}
        returned = pull(session, dag_run, "wait_ok", "return_value")
        error = pull(session, dag_run, "wait_error", "failure")
        on_hold = pull(session, dag_run, "wait_on_hold", "failure")
        seen = {name: pull(session, dag_run, f"wait_{name}", "customer") for name in ("error", "on_hold")}
    assert states == {"wait_ok": "success", "wait_error": "failed", "wait_on_hold": "failed"}
    assert returned["id"] == ok
    assert returned["status"] == "provisioned"
    assert returned["orgId"]
    assert error.startswith("WebexCustomerProvisioningError:")
    assert "2560" in error
    assert on_hold.startswith("WebexCustomerOnHoldError:")
    assert "pending_rpl_review" in on_hold
    assert seen["error"]["status"] == "error"  # a failed wait still publishes the customer it saw
    assert seen["on_hold"]["status"] == "pending_rpl_review"
    # At least the first wait found its customer still provisioning, deferred, and the trigger polled it.
    gets = [r for r in slow_sim.state()["requests"] if r["method"] == "GET" and "/wholesale/customers/" in r["path"]]
    assert len(gets) > 3
