"""What can go wrong on the way into the state database, sorted by what a task should do about it.

A configuration error (no tables yet, a host that does not answer, a wrong URL) stays wrong however often a task
is retried, so it is an :class:`~airflow.sdk.exceptions.AirflowFailException`: the task fails at once with a
message naming the fix, instead of four retries with backoff. A passing condition (SQLite's write lock held past
the busy timeout, a connection reset) is :class:`StateDatabaseBusy`, an ordinary exception Airflow retries.
"""

from __future__ import annotations

import sqlite3

from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError

__all__ = [
    "FIX_UPGRADE",
    "StateDatabaseBusy",
    "StateDatabaseMisconfigured",
    "StateDatabaseNotReady",
    "classify_connect_error",
]

#: How to create or migrate the tables of a state database that is not migrated on first use (PostgreSQL).
FIX_UPGRADE = "run `wholesale-queue db upgrade` (with the same AIRFLOW_HOME / AIRFLOW_CONN_WHOLESALE_DB)"
_FIX_CONNECTION = (
    "check the `wholesale_db` Airflow connection (AIRFLOW_CONN_WHOLESALE_DB), or remove it to use "
    "$AIRFLOW_HOME/wholesale.db"
)
#: SQLite answers that mean "another process holds the lock": waiting longer, as a retry does, helps.
_SQLITE_BUSY = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


class StateDatabaseMisconfigured(AirflowFailException):
    """The state database cannot be used as configured (wrong URL, unreachable, not migrated); retrying cannot help."""


class StateDatabaseNotReady(StateDatabaseMisconfigured):
    """The state database has not been migrated to the schema this code expects; the message says how to fix it."""


class StateDatabaseBusy(RuntimeError):
    """The state database is there but momentarily unusable (locked, connection reset): a task retry may succeed."""


def _is_transient(error: DBAPIError) -> bool:
    """Whether the driver says the failure passes by itself: a dropped connection, or SQLite's lock still held."""
    if error.connection_invalidated:
        return True
    return isinstance(error.orig, sqlite3.Error) and getattr(error.orig, "sqlite_errorname", None) in _SQLITE_BUSY


def classify_connect_error(error: Exception, url: URL | None = None) -> Exception:
    """The error to raise for ``error`` met while first opening the state database (at ``url``, when it is known).

    SQLAlchemy's dialects mark a dropped connection (``connection_invalidated``) and SQLite names its lock
    errors, so the sorting needs no message matching; anything else on first contact is the configuration's fault.
    """
    where = f" {url.render_as_string(hide_password=True)}" if url is not None else ""
    # A URL that does not parse is quoted in its own message, password and all: name the error only.
    detail = (
        "" if isinstance(error, ArgumentError) else ": " + " ".join(str(getattr(error, "orig", None) or error).split())
    )
    reason = f"{type(error).__name__}{detail}"
    if isinstance(error, DBAPIError) and _is_transient(error):
        return StateDatabaseBusy(f"The wholesale state database{where} is busy ({reason}); the task will retry.")
    return StateDatabaseMisconfigured(
        f"The wholesale state database{where} cannot be used ({reason}): {_FIX_CONNECTION}."
    )
