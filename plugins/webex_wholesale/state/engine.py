"""One SQLAlchemy engine per state database, found through the Airflow connection ``wholesale_db``.

When the connection is not defined the state lives in ``$AIRFLOW_HOME/wholesale.db`` (SQLite in WAL mode, so the
UI and the CLI can read while a task writes). PostgreSQL is reached through psycopg2: SQLAlchemy 2.1 maps a bare
``postgresql://`` URL to psycopg 3, which is not installed, so the driver is named explicitly here.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from webex_wholesale.ids import STATE_CONN_ID

__all__ = ["database_url", "default_sqlite_path", "get_engine", "immediate"]

#: Execution option that makes a SQLite transaction take the write lock at BEGIN (see :func:`immediate`).
_IMMEDIATE = "wholesale_begin_immediate"
_SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def default_sqlite_path() -> Path:
    """``$AIRFLOW_HOME/wholesale.db`` (``~/airflow`` when AIRFLOW_HOME is unset, as Airflow itself does)."""
    home = os.environ.get("AIRFLOW_HOME") or os.path.join(os.path.expanduser("~"), "airflow")
    return Path(home) / "wholesale.db"


def _lookup_connection() -> Any | None:
    """The ``wholesale_db`` Airflow connection, or ``None`` when none is defined anywhere Airflow looks."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(STATE_CONN_ID)
    except AirflowNotFoundException:
        return None


def _url_from_connection(conn: Any) -> URL:
    # "postgresql+psycopg2" (a SQLAlchemy URL pasted as the connection) is PostgreSQL too.
    conn_type = (conn.conn_type or "").lower().split("+")[0]
    if conn_type in ("postgres", "postgresql"):
        return URL.create(
            "postgresql+psycopg2",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
        )
    if conn_type == "sqlite":
        # Airflow parses sqlite:////abs/path.db into host "" and schema "/abs/path.db" (or a host for sqlite://h/p).
        path = "/".join(p for p in (conn.host, conn.schema) if p) or str(default_sqlite_path())
        return URL.create("sqlite", database=path)
    raise ValueError(
        f"Connection {STATE_CONN_ID!r} has type {conn.conn_type!r}; the state database must be SQLite "
        "(sqlite:////abs/path/wholesale.db) or PostgreSQL (postgresql://user@host:5432/db)."
    )


def _normalise(url: URL) -> URL:
    """Pin the PostgreSQL driver to psycopg2, whatever spelling of PostgreSQL the URL uses."""
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg2")
    return url


def database_url() -> URL:
    """Where the state database is: the ``wholesale_db`` connection, else ``$AIRFLOW_HOME/wholesale.db``."""
    conn = _lookup_connection()
    if conn is None:
        return URL.create("sqlite", database=str(default_sqlite_path()))
    return _normalise(_url_from_connection(conn))


def _configure_sqlite(engine: Engine) -> None:
    """WAL mode, foreign keys, a busy timeout, and transactions SQLAlchemy begins itself.

    pysqlite's own transaction handling issues a deferred BEGIN lazily; taking it over (the recipe in SQLAlchemy's
    SQLite dialect docs) lets :func:`immediate` start a write transaction with ``BEGIN IMMEDIATE``, so two claimers
    queue on the write lock instead of both reading the same rows.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "BEGIN")


def create_state_engine(url: URL | str) -> Engine:
    """A new engine for ``url`` (SQLite configured for WAL and immediate claims; PostgreSQL through psycopg2)."""
    url = _normalise(make_url(url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(url: URL | str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: :func:`database_url`), created on first use."""
    resolved = _normalise(make_url(url)) if url is not None else database_url()
    key = resolved.render_as_string(hide_password=False)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = create_state_engine(resolved)
        return engine


def immediate(engine: Engine):
    """A write transaction that holds the write lock from its start (SQLite ``BEGIN IMMEDIATE``).

    On PostgreSQL this is an ordinary transaction; row locks (``FOR UPDATE SKIP LOCKED``) do the isolating there.
    """
    return engine.execution_options(**{_IMMEDIATE: True}).begin()
