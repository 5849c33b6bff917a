"""Fixtures for whole-DAG runs: the DAG from the dags folder, a simulator wired in through AIRFLOW_CONN_*,
and a runner that executes one order with ``dag.test()`` and returns what an operator would look at."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dag_helpers import DAG_ID, DEMO_ORDER, SIM_TOKEN, RunResult
from helpers import wire_connections
from helpers.notify_fixtures import inbox, smtp_server, space  # noqa: F401 (fixtures are found by name)


@pytest.fixture
def wired_simulator(monkeypatch) -> Iterator:
    """A simulator with a short lifecycle, and the two connections pointing at it."""
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token=SIM_TOKEN, provision_delay=0.3)) as sim:
        wire_connections(monkeypatch, sim)
        yield sim


@pytest.fixture
def received_bodies(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Every customer and subscriber body the simulator receives (it runs in this process), in order.

    The simulator's request log keeps method, path and query only; this records what each POST carried by
    wrapping the rule checks every customer and subscriber route runs first.
    """
    from wholesale_sim import customer_rules, subscriber_rules

    bodies: list[tuple[str, dict[str, Any]]] = []

    def recording(module: Any, name: str) -> None:
        original = getattr(module, name)

        def record(body: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            bodies.append((f"{module.__name__.rsplit('.', 1)[-1]}.{name}", copy.deepcopy(body)))
            return original(body, *args, **kwargs)

        monkeypatch.setattr(module, name, record)

    for module, names in (
        (customer_rules, ("check_provision", "check_precheck")),
        (subscriber_rules, ("check_provision",)),
    ):
        for name in names:
            recording(module, name)
    return bodies


@pytest.fixture
def run_order(onboarding_dag, wired_simulator, received_bodies) -> Callable[..., RunResult]:
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
            run_id=dag_run.run_id,
            state=dag_run.state,
            task_states=task_states,
            tries=tries,
            report=report,
            sim_state=wired_simulator.state(),
            bodies=list(received_bodies),
        )

    return run
