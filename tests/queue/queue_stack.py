"""The queue under the real scheduler, for the end-to-end tests: ``airflow standalone`` (scheduler, DAG processor,
triggerer, api-server; LocalExecutor) in a throw-away AIRFLOW_HOME on a free port, the simulator as its own
process, a SQLite state database, and orders queued through the ``wholesale-queue`` console script.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from helpers.scheduler_env import scheduler_test_env
from local_stack import SIM_TOKEN, LocalAirflow, free_port, simulator, standalone
from sqlalchemy import Engine

from webex_wholesale.state import migrate
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.orders import list_orders

__all__ = ["SIM_TOKEN", "QueueStack", "queue_stack", "wait_for"]

DEADLINE_S = 600  # a bound for a stuck run, not a speed budget
ONBOARDING_RUNS = "api/v2/dags/webex_wholesale_onboarding/dagRuns"


def wait_for(condition: Callable[[], Any], what: str, timeout: float = DEADLINE_S) -> Any:
    """``condition()``'s first true value, asked every 2 s; fails naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(2)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class QueueStack:
    """A running stack: Airflow (logged in as admin), the state database, the simulator's URL and the environment
    the console script runs in."""

    airflow: LocalAirflow
    engine: Engine
    sim_url: str
    env: dict[str, str]
    folder: Path

    def queue(self, orders: list[dict[str, Any]]) -> list[int]:
        """Queue ``orders`` with the ``wholesale-queue`` console script, as a user does; their ids."""
        known = {o["id"] for o in list_orders(self.engine)}
        orders_file = self.folder / f"orders-{len(known)}.json"
        orders_file.write_text(json.dumps(orders))
        added = subprocess.run(
            [Path(sys.executable).with_name("wholesale-queue"), "add", orders_file],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert added.stdout.count("queued order") == len(orders), added.stdout
        return sorted(o["id"] for o in list_orders(self.engine) if o["id"] not in known)

    def start_queue_round(self) -> None:
        """Trigger one round of the queue DAG (404 until the DAG processor has parsed the DAG folder)."""
        runs_url = f"{self.airflow.base_url}/api/v2/dags/webex_wholesale_queue/dagRuns"
        wait_for(
            lambda: self.airflow.rest.post(runs_url, json={"logical_date": None}, timeout=60).status_code == 200,
            "the queue DAG to be parsed and triggered",
        )

    def onboarding_runs(self) -> dict[str, dict[str, Any]]:
        """The onboarding DAG's runs by run id, as Airflow's REST API lists them."""
        runs = self.airflow.rest.get(f"{self.airflow.base_url}/{ONBOARDING_RUNS}", timeout=30).json()["dag_runs"]
        return {run["dag_run_id"]: run for run in runs}

    def api_requests(self) -> list[dict[str, Any]]:
        """Every Webex API request the simulator has answered (method, path, query)."""
        state = requests.get(f"{self.sim_url}/_sim/state", timeout=30).json()
        return [r for r in state["requests"] if r["path"].startswith("/v1/")]


@contextlib.contextmanager
def queue_stack(folder: Path) -> Iterator[QueueStack]:
    """The stack, nothing queued yet; the queue DAG runs only when a test triggers it. Tests share one: starting
    Airflow takes half a minute."""
    state_url = f"sqlite:///{folder / 'wholesale.db'}"
    engine = create_state_engine(state_url)
    migrate.upgrade(engine)
    with simulator(free_port(), "--provision-delay", "1", log_path=folder / "sim.log") as sim_url:
        env = scheduler_test_env(folder, sim_url, state_url)
        with standalone(env, folder / "standalone.log") as airflow:
            pool = {"name": "webex_wholesale_api", "slots": 4, "include_deferred": False}
            assert airflow.post("pools", pool).status_code == 201  # asked again while SQLite is locked
            yield QueueStack(airflow=airflow, engine=engine, sim_url=sim_url, env=env, folder=folder)
    engine.dispose()
