"""Test-wide setup.

Airflow reads its configuration at import time, so the throw-away AIRFLOW_HOME and folders are set here,
before any test module imports airflow. Connections are injected as AIRFLOW_CONN_* variables by the tests
that need them, as a deployment would.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from helpers.clocks import SimClock

ROOT = Path(__file__).resolve().parents[1]
#: `.ci/run` sets WWA_REQUIRE_SERVICES=1: PostgreSQL and Redis are there, so a test that needs them fails
#: instead of skipping when it cannot reach them.
SERVICES_REQUIRED = os.environ.get("WWA_REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get("WWA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("WWA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

#: "gw0", "gw1"... under pytest-xdist (`make test`); every worker is a process with its own AIRFLOW_HOME (and so its
#: own metadata database and embedded stores) and its own PostgreSQL database (``postgres_url``).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix=f"wwa-airflow-home-{WORKER}-")
atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"


#: Fixtures that put a test in a tier: it reaches a local service, runs a whole DAG or drives headless Chromium.
#: Tests that reach one through ``request.getfixturevalue`` (a parametrized fixture) carry the marker on that param.
TIER_OF_FIXTURE = {
    "postgres_url": "services",
    "fresh_postgres_url": "services",
    "redis_url": "services",
    "run_order": "airflow_run",
    "chromium": "browser",
}


#: The test being run, for the guards that check its tier from deep inside it (``DAG.test``).
RUNNING_TEST: ContextVar[pytest.Item | None] = ContextVar("running_test", default=None)


def require_tier(item: pytest.Item, marker: str, what: str) -> None:
    """Fail a test that does something of a tier without its marker: ``make test-fast`` would run it."""
    if item.get_closest_marker(marker) is None:
        pytest.fail(f"{item.nodeid} {what} but is not marked {marker!r} (pytestmark, or a fixture param's marks)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Run the test with :data:`RUNNING_TEST` naming it."""
    token = RUNNING_TEST.set(item)
    try:
        return (yield)
    finally:
        RUNNING_TEST.reset(token)


#: The pytest-xdist group of the tests that start a whole Airflow.
STANDALONE_GROUP = "airflow-standalone"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by the fixtures it uses, so ``make test-fast`` can leave out the slow tiers.

    The tests that start a whole Airflow (``scheduler``) share one pytest-xdist worker (``--dist loadgroup``), one
    after the other: two of them at once on two cores slow each other and everything else down. First among the
    hooks: pytest-xdist reads the group marker in its own hook, which would otherwise run before this one.
    """
    for item in items:
        for fixture in TIER_OF_FIXTURE.keys() & set(item.fixturenames):
            item.add_marker(TIER_OF_FIXTURE[fixture])
        if item.get_closest_marker("scheduler") is not None:
            item.add_marker(pytest.mark.xdist_group(STANDALONE_GROUP))


@pytest.fixture(autouse=True)
def _standalone_tests_grouped(request: pytest.FixtureRequest) -> None:
    """Fail a ``scheduler`` test before it starts, rather than let the suite go on slower, when pytest-xdist has not
    grouped it (a grouped test is named ``<id>@<group>``): pytest 9.2 broke that silently (pytest-xdist#1386)."""
    node = request.node
    grouped = node.nodeid.endswith(f"@{STANDALONE_GROUP}")
    if getattr(request.config.option, "loadgroup", False) and node.get_closest_marker("scheduler") and not grouped:
        pytest.fail(f"pytest-xdist did not put {node.nodeid} in group {STANDALONE_GROUP} (pytest-xdist#1386)")


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create the metadata tables and the state database's once per run; dag.test() needs them.

    Every ``dag.test()`` from then on checks that its test is marked ``airflow_run``.
    """
    from airflow.sdk.definitions.dag import DAG
    from airflow.utils import db

    from webex_wholesale.state import migrate
    from webex_wholesale.state.engine import get_engine

    db.initdb()
    migrate.upgrade(get_engine())  # the state database every onboarding run records itself in
    run_whole_dag = DAG.test

    def test_in_its_tier(dag: DAG, *args: Any, **kwargs: Any) -> Any:
        if (item := RUNNING_TEST.get()) is not None:
            require_tier(item, "airflow_run", "runs a whole DAG")
        return run_whole_dag(dag, *args, **kwargs)

    DAG.test = test_in_its_tier  # for the rest of this process, which is this session's


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
def sim_clock(monkeypatch: pytest.MonkeyPatch) -> SimClock:
    """The clock of every simulator this test runs in-process (``running_simulator``)."""
    from types import SimpleNamespace

    from helpers.clocks import SimClock

    from wholesale_sim import traffic
    from wholesale_sim.runtime import SimRuntime

    clock = SimClock()
    monkeypatch.setattr(SimRuntime, "now", lambda _sim: clock())
    monkeypatch.setattr(traffic, "time", SimpleNamespace(monotonic=clock))
    return clock


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
    """A new, empty PostgreSQL database on the local server for the block (skipped, or failed, when there is none)."""
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
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database on the local server, created for this test session and dropped after.

    One database per session, so one per pytest-xdist worker: parallel workers, parallel runs and other projects
    on the server keep out of each other's way.
    """
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture
def fresh_postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL database of this test's own, never migrated (PostgreSQL is migrated explicitly, never on use)."""
    require_tier(request.node, "services", "uses PostgreSQL")
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The local Redis server's URL (database 15); tests namespace their keys so parallel runs do not collide."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        service_missing("Redis", f"{REDIS_URL}: {type(exc).__name__}: {exc}")
    return REDIS_URL


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, postgres_database: str) -> str:
    """The session's PostgreSQL database, for a test marked ``services``."""
    require_tier(request.node, "services", "uses PostgreSQL")
    return postgres_database


@pytest.fixture
def redis_url(request: pytest.FixtureRequest, redis_server: str) -> str:
    """The local Redis server, for a test marked ``services``."""
    require_tier(request.node, "services", "uses Redis")
    return redis_server
