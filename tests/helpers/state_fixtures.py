"""The ``state_db`` fixture the queue and health tests share: a migrated SQLite state database, as a user names it.

Imported by name into a ``conftest.py`` (``from helpers.state_fixtures import state_db``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine


@pytest.fixture
def state_db(tmp_path, monkeypatch) -> Iterator[Engine]:
    """A migrated, empty SQLite state database, also named by ``AIRFLOW_CONN_WHOLESALE_DB``; yields its engine."""
    from helpers.state_db import migrated_engine

    url = f"sqlite:///{tmp_path / 'wholesale.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", url)
    engine = migrated_engine(url)
    yield engine
    engine.dispose()
