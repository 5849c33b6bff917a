"""Queue fixtures: a migrated SQLite state database named by the ``wholesale_db`` connection, as a user sets it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The order builders are shared with the state tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "state"))

from state_helpers import migrated_engine


@pytest.fixture
def state_db(tmp_path, monkeypatch):
    """The URL of a migrated, empty state database, set as ``AIRFLOW_CONN_WHOLESALE_DB``; yields its engine."""
    url = f"sqlite:///{tmp_path / 'wholesale.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", url)
    engine = migrated_engine(url)
    yield engine
    engine.dispose()
