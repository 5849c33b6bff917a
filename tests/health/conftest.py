"""Health fixtures: a migrated SQLite state database, the Webex connection on a simulator, the notification servers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The order builders are shared with the state tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "state"))

from helpers import wire_connections
from helpers.notify_fixtures import inbox, smtp_server, space  # noqa: F401 (fixtures are found by name)
from state_helpers import migrated_engine


@pytest.fixture
def state_db(tmp_path, monkeypatch):
    """A migrated, empty SQLite state database, also named by ``AIRFLOW_CONN_WHOLESALE_DB``; yields its engine."""
    url = f"sqlite:///{tmp_path / 'wholesale.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", url)
    engine = migrated_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def webex(simulator, monkeypatch, tmp_path):
    """The Webex connection pointed at the test's simulator (its budget in this test's AIRFLOW_HOME)."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    wire_connections(monkeypatch, simulator, setup_assist=False)
    return simulator
