"""Health fixtures: a migrated SQLite state database, the Webex connection on a simulator, the notification servers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The order builders are shared with the state tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "state"))

from helpers import wire_connections
from helpers.notify_fixtures import inbox, smtp_server, space  # noqa: F401 (fixtures are found by name)
from helpers.state_fixtures import state_db  # noqa: F401 (a fixture, found by name)


@pytest.fixture
def webex(simulator, monkeypatch, tmp_path):
    """The Webex connection pointed at the test's simulator (its budget in this test's AIRFLOW_HOME)."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    wire_connections(monkeypatch, simulator, setup_assist=False)
    return simulator
