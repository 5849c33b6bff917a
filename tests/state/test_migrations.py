"""``db upgrade`` creates the schema, idempotently; SQLite is migrated on first use, PostgreSQL refused with the fix."""

from __future__ import annotations

import subprocess
import sys

import pytest
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy import inspect

from webex_wholesale.state import migrate
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.errors import StateDatabaseNotReady
from webex_wholesale.state.schema import metadata
from webex_wholesale.state.store import open_state


def test_upgrade_creates_the_tables_of_the_schema_and_repeats_as_a_no_op(state_url, engine):
    """``engine`` has been upgraded once already; a second and third upgrade change nothing."""
    assert migrate.upgrade(engine) == (migrate.head_revision(), migrate.head_revision())
    assert migrate.upgrade(engine) == (migrate.head_revision(), migrate.head_revision())
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    assert set(metadata.tables) <= tables
    assert migrate.VERSION_TABLE in tables
    assert "alembic_version" not in tables  # never mixed up with Airflow's own version table
    for name, table in metadata.tables.items():
        assert {c["name"] for c in inspector.get_columns(name)} == set(table.columns.keys()), name


def test_an_unmigrated_postgresql_database_is_refused_with_the_fix(fresh_postgres_url):
    with pytest.raises(StateDatabaseNotReady, match=r"no tables yet: run `wholesale-queue db upgrade`") as refused:
        open_state(fresh_postgres_url)
    assert isinstance(refused.value, AirflowFailException)  # a task fails at once: no retry migrates it
    engine = create_state_engine(fresh_postgres_url)
    assert migrate.current_revision(engine) is None  # checked, never migrated on use
    assert migrate.upgrade(engine) == (None, migrate.head_revision())
    assert open_state(fresh_postgres_url) is not None
    engine.dispose()


def test_the_embedded_sqlite_database_is_created_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = open_state(url)
    assert engine.url.database == str(tmp_path / "fresh.db")
    assert migrate.current_revision(engine) == migrate.SCHEMA_REVISION
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = create_state_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_schema_revision_tasks_check_is_the_migration_scripts_head():
    assert migrate.head_revision() == migrate.SCHEMA_REVISION


@pytest.mark.processes
def test_opening_the_state_database_does_not_import_alembic(state_url, engine):
    """Every task opens the state database; Alembic (a tenth of a second to import) is for ``db upgrade`` only."""
    code = (
        "import sys; from webex_wholesale.state.store import open_state; "
        f"open_state({state_url!r}); print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split()[-1] == "False"  # the last word: Airflow logs to stdout too
