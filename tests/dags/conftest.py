"""Fixtures for whole-DAG runs: the DAG from the dags folder, a simulator wired in through AIRFLOW_CONN_*,
and a runner that executes one order with ``dag.test()`` and returns what an operator would look at."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dag_helpers import DAG_ID, DEMO_ORDER, ROOT, SIM_TOKEN, RunResult


@pytest.fixture
def onboarding_dag(airflow_db):
    """Parsed afresh for each test: ``dag.test()`` writes a run's conf into the DAG's params in place."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag(DAG_ID)


@pytest.fixture
def wired_simulator(monkeypatch) -> Iterator:
    """A simulator with a short lifecycle, and the two connections pointing at it."""
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token=SIM_TOKEN, provision_delay=0.3)) as sim:
        monkeypatch.setenv(
            "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT",
            json.dumps({"conn_type": "webex_wholesale", "host": sim.base_url, "password": SIM_TOKEN}),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT",
            json.dumps({"conn_type": "http", "host": f"{sim.url}/setup-assist/v1"}),
        )
        yield sim


@pytest.fixture
def run_order(onboarding_dag, wired_simulator) -> Callable[..., RunResult]:
    """Run the DAG once with ``conf`` (default: the demo order) and collect states, report and simulator view."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    def run(conf: dict[str, Any] | None = None) -> RunResult:
        dag_run = onboarding_dag.test(run_conf=copy.deepcopy(conf if conf is not None else DEMO_ORDER))
        with create_session() as session:
            row = session.scalar(
                XComModel.get_many(
                    run_id=dag_run.run_id, key="return_value", dag_ids=DAG_ID, task_ids="onboarding_report"
                )
            )
            report = XComModel.deserialize_value(row) if row is not None else None
            instances = {
                ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]": ti
                for ti in dag_run.get_task_instances(session=session)
            }
            task_states = {key: ti.state for key, ti in instances.items()}
            tries = {key: ti.try_number for key, ti in instances.items()}
        return RunResult(
            state=dag_run.state, task_states=task_states, tries=tries, report=report, sim_state=wired_simulator.state()
        )

    return run
