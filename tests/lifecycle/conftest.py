"""Fixtures for change and offboarding runs: a simulator wired in, a customer already onboarded on it, and a
runner that executes one conf with ``dag.test()`` and returns the run's states, report and Webex's view."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import ROOT, SIM_TOKEN, wire_connections
from helpers.notify_fixtures import inbox, smtp_server, space  # noqa: F401 (fixtures are found by name)
from lifecycle_helpers import LifecycleRun, onboard_directly


@pytest.fixture
def wired_simulator(monkeypatch) -> Iterator:
    """A simulator with a short lifecycle, and the Webex connection pointing at it."""
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token=SIM_TOKEN, provision_delay=0.3)) as sim:
        wire_connections(monkeypatch, sim, setup_assist=False)
        yield sim


@pytest.fixture
def onboard(wired_simulator) -> Callable[[dict[str, Any]], str]:
    """Create an order's customer and subscribers on the simulator (no DAG); return the customer id."""
    return onboard_directly


def _dag(dag_id: str) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag(dag_id)


@pytest.fixture
def run_dag(airflow_db, wired_simulator) -> Callable[..., LifecycleRun]:
    """Run a DAG (parsed afresh) once with ``conf``; collect its states, report and what Webex holds after."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    def run(dag_id: str, conf: dict[str, Any], report_task: str) -> LifecycleRun:
        dag_run = _dag(dag_id).test(run_conf=copy.deepcopy(conf))
        with create_session() as session:
            row = session.scalar(
                XComModel.get_many(run_id=dag_run.run_id, key="return_value", dag_ids=dag_id, task_ids=report_task)
            )
            report = XComModel.deserialize_value(row) if row is not None else None
            states = {
                ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]": ti.state
                for ti in dag_run.get_task_instances(session=session)
            }
        return LifecycleRun(
            run_id=dag_run.run_id,
            state=dag_run.state,
            task_states=states,
            report=report,
            sim_state=wired_simulator.state(),
        )

    return run
