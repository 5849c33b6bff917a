"""Zero setup on the embedded default: the first user of a SQLite state database creates it, even eight at once;
what no retry can fix fails a task at once, what passes by itself is retried."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy import column, select, table

from webex_wholesale.state import engine as state_engine
from webex_wholesale.state import migrate
from webex_wholesale.state.errors import StateDatabaseBusy, StateDatabaseMisconfigured
from webex_wholesale.state.store import open_state

PROCESSES = 8
#: Each process waits for a line on stdin (all are sent at once), opens the database, says whether it migrated it.
FIRST_USER = (
    "import sys; from webex_wholesale.state import migrate; from webex_wholesale.state.engine import get_engine; "
    "sys.stdin.readline(); print(migrate.ensure_current(get_engine(sys.argv[1])))"
)


@pytest.mark.processes
def test_eight_processes_starting_together_on_a_fresh_file_migrate_it_exactly_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'wholesale.db'}"
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", FIRST_USER, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    for starter in starters:  # every process is started (and importing) before any is let go
        starter.stdin.write("go\n")
        starter.stdin.flush()
    results = [starter.communicate(timeout=300) for starter in starters]

    assert [starter.returncode for starter in starters] == [0] * PROCESSES, [err for _, err in results]
    migrated = sorted(out.split()[-1] for out, _ in results)  # the last word: logs go to stdout too
    assert migrated == ["False"] * (PROCESSES - 1) + ["True"]
    engine = open_state(url)
    with engine.connect() as conn:
        versions = conn.execute(select(column("version_num")).select_from(table(migrate.VERSION_TABLE))).all()
    assert [v for (v,) in versions] == [migrate.SCHEMA_REVISION]


def test_a_state_connection_of_the_wrong_type_fails_at_once_naming_the_fix(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", json.dumps({"conn_type": "mysql", "host": "db.example.com"}))

    with pytest.raises(StateDatabaseMisconfigured, match=r"must be SQLite .* or PostgreSQL") as refused:
        open_state()

    assert isinstance(refused.value, AirflowFailException)
    assert "AIRFLOW_CONN_WHOLESALE_DB" in str(refused.value)


def test_an_unreachable_state_database_fails_at_once_without_its_password():
    with pytest.raises(StateDatabaseMisconfigured, match=r"cannot be used .*wholesale_db") as refused:
        open_state("postgresql://wholesale:s3cret-pw@127.0.0.1:1/wholesale")

    assert isinstance(refused.value, AirflowFailException)
    assert "s3cret-pw" not in str(refused.value)


def test_a_locked_sqlite_database_is_a_retryable_error(tmp_path, monkeypatch):
    """Another process holds the write lock past the busy timeout: waiting (a task retry) can help."""
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(state_engine, "_SQLITE_BUSY_TIMEOUT_MS", 0)
    try:
        with pytest.raises(StateDatabaseBusy, match="is busy") as busy:
            open_state(f"sqlite:///{path}")
    finally:
        holder.rollback()
        holder.close()

    assert not isinstance(busy.value, AirflowFailException)
