"""The first thing a newcomer does: an ad-hoc run in a fresh Airflow, with the Webex connections and nothing else.

No ``wholesale-queue db upgrade``, no fixture that migrates the state database: the run creates
``$AIRFLOW_HOME/wholesale.db`` itself. It runs in its own process, so that nothing this test session set up
(the ``airflow_db`` fixture migrates explicitly) can stand in for the zero setup.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from dag_helpers import DAG_ID, DEMO_ORDER

pytestmark = pytest.mark.airflow_run

#: Airflow's own metadata database is created as `airflow db migrate` (or `airflow standalone`) would; then one run.
FRESH_RUN = f"""
import json, sys
from airflow.utils import db
db.initdb()
from airflow.dag_processing.dagbag import DagBag
dag = DagBag(dag_folder=sys.argv[1]).get_dag({DAG_ID!r})
run = dag.test(run_conf=json.loads(sys.argv[2]))
tries = {{ti.task_id: ti.try_number for ti in run.get_task_instances()}}
print(json.dumps({{"state": run.state, "tries": tries}}))
"""


def test_an_ad_hoc_run_in_a_fresh_airflow_home_creates_the_state_database_itself(wired_simulator, tmp_path):
    home = tmp_path / "airflow-home"
    env = {**os.environ, "AIRFLOW_HOME": str(home)}  # the Webex connections wired_simulator set, and nothing else
    env.pop("AIRFLOW_CONN_WHOLESALE_DB", None)
    dags = os.environ["AIRFLOW__CORE__DAGS_FOLDER"]

    finished = subprocess.run(
        [sys.executable, "-c", FRESH_RUN, dags, json.dumps(DEMO_ORDER)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )

    assert finished.returncode == 0, finished.stderr[-4000:]
    run = json.loads(finished.stdout.splitlines()[-1])
    assert run["state"] == "success", run
    assert set(run["tries"].values()) == {1}, run["tries"]  # nothing was retried on the way
    assert (home / "wholesale.db").exists()
    assert [c["status"] for c in wired_simulator.state()["customers"]] == ["provisioned"]
