"""Test-wide setup.

Airflow reads its configuration at import time, so the throw-away AIRFLOW_HOME and folders are set here,
before any test module imports airflow. Connections are injected as AIRFLOW_CONN_* variables by the tests
that need them, as a deployment would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM_TOKEN = "test-sim-token"

os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="wwa-airflow-home-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create the metadata tables once per run; dag.test() needs them."""
    from airflow.utils import db

    db.initdb()


@pytest.fixture
def simulator() -> Iterator:
    """A fresh simulator on a free loopback port, with a short provisioning delay."""
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token=SIM_TOKEN, provision_delay=0.2)) as sim:
        yield sim
