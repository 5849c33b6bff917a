"""State database fixtures: every repository test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.state_db import migrated_engine
from sqlalchemy import Engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def state_url(request, tmp_path) -> str:
    """A state database URL: a SQLite file in the test's directory, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wholesale.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(state_url) -> Iterator[Engine]:
    """A migrated, empty state database."""
    engine = migrated_engine(state_url)
    yield engine
    engine.dispose()
