"""Test-wide setup.

Airflow reads its configuration at import time, so the throw-away AIRFLOW_HOME and folders are set here,
before any test module imports airflow. Connections are injected as AIRFLOW_CONN_* variables by the tests
that need them, as a deployment would.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: `.ci/run` sets WWA_REQUIRE_SERVICES=1: PostgreSQL and Redis are there, so a test that needs them fails
#: instead of skipping when it cannot reach them.
SERVICES_REQUIRED = os.environ.get("WWA_REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get("WWA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("WWA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="wwa-airflow-home-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create the metadata tables and the state database's once per run; dag.test() needs them."""
    from airflow.utils import db

    from webex_wholesale.state import migrate
    from webex_wholesale.state.engine import get_engine

    db.initdb()
    migrate.upgrade(get_engine())  # the state database every onboarding run records itself in


@pytest.fixture
def onboarding_dag(airflow_db):
    """The onboarding DAG, parsed afresh for each test: ``dag.test()`` writes a run's conf into its params in place."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag("webex_wholesale_onboarding")


@pytest.fixture
def simulator() -> Iterator:
    """A fresh simulator on a free loopback port, with a short provisioning delay."""
    from helpers import SIM_TOKEN

    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token=SIM_TOKEN, provision_delay=0.2)) as sim:
        yield sim


@pytest.fixture
def demo_order() -> dict:
    """A fresh copy of the demo order (include/orders/demo-order.json), free to change."""
    from helpers import demo_order

    return demo_order()


def service_missing(service: str, reason: str) -> None:
    """Skip when a local service is absent, unless CI said it is there: then its absence is a failure."""
    if SERVICES_REQUIRED:
        pytest.fail(f"{service} is required here (WWA_REQUIRE_SERVICES=1) but unreachable: {reason}")
    pytest.skip(f"{service} unreachable ({reason}); set WWA_REQUIRE_SERVICES=1 to make this a failure")


@contextlib.contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server for the block (skipped when there is no server)."""
    import sqlalchemy as sa

    name = f"wwa_test_{uuid.uuid4().hex[:12]}"
    # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3; the project installs psycopg2 (Airflow's driver).
    server = sa.make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg2")
    try:
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any driver or network error means "not here"
        service_missing("PostgreSQL", f"{POSTGRES_ADMIN_URL}: {type(exc).__name__}: {exc}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database on the local server, created for this test session and dropped after.

    One database per session keeps parallel test runs (and other projects on the server) out of each other's way.
    """
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test's own, never migrated (PostgreSQL is migrated explicitly, never on use)."""
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis server's URL (database 15); tests namespace their keys so parallel runs do not collide."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        service_missing("Redis", f"{REDIS_URL}: {type(exc).__name__}: {exc}")
    return REDIS_URL
