"""Bring the state database to the current schema, and refuse to work on one that is not there yet.

The migrations ship inside the package (``webex_wholesale/state/migrations``), so ``wholesale-queue db upgrade``
works from an installed wheel as well as from a clone. Alembic's version table is named
``wholesale_alembic_version``, so pointing ``wholesale_db`` at a database that also holds Airflow's own
``alembic_version`` (say, one PostgreSQL database for both) cannot mix the two histories up.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, column, inspect, select, table

from webex_wholesale.state.errors import FIX_UPGRADE, StateDatabaseNotReady

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "SCHEMA_REVISION",
    "VERSION_TABLE",
    "current_revision",
    "ensure_current",
    "head_revision",
    "require_current",
    "upgrade",
]

VERSION_TABLE = "wholesale_alembic_version"
#: The newest migration's revision, the schema this code needs. Every task checks it when it opens the database,
#: so it is a constant rather than read from the migration scripts with Alembic (a tenth of a second in every task
#: process); ``tests/state/test_migrations.py`` fails when it and the scripts' head differ.
SCHEMA_REVISION = "0005"
_MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["version_table"] = VERSION_TABLE
    return config


@cache
def head_revision() -> str:
    """The newest schema revision the migration scripts reach (what ``upgrade`` leads to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, f"no migrations found in {_MIGRATIONS}"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` when it was never migrated (read with plain SQL)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.execute(select(column("version_num")).select_from(table(VERSION_TABLE))).scalar()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to ``revision``, the newest by default (a no-op when already there); return (before, after).

    An older ``revision`` is for tests that check a migration converts what an earlier schema held.
    """
    from alembic import command

    before = current_revision(engine)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return before, current_revision(engine)


def require_current(engine: Engine) -> None:
    """Raise :class:`StateDatabaseNotReady` unless the database is at this code's schema revision."""
    current = current_revision(engine)
    if current == SCHEMA_REVISION:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise StateDatabaseNotReady(f"The wholesale state database {where} has no tables yet: {FIX_UPGRADE}.")
    raise StateDatabaseNotReady(
        f"The wholesale state database {where} is at schema revision {current}, this code needs {SCHEMA_REVISION}: "
        f"{FIX_UPGRADE}."
    )


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold an exclusive lock on ``<database file>.migrate.lock`` for the block (none for an in-memory database).

    Several task processes often start together on a fresh SQLite file; the lock makes them migrate it one at a
    time, and each one after the first finds it current. A lock file beside the database, not SQLite's own lock:
    switching a fresh file to WAL on connect races between processes before any transaction exists.
    """
    path = engine.url.database
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def ensure_current(engine: Engine) -> bool:
    """Make sure the database is at this code's schema revision, migrating it first if it is embedded.

    Return whether this call migrated it.

    The embedded default (SQLite) belongs to this Airflow installation alone, so its first user creates or
    migrates it: an ad-hoc run in a fresh Airflow needs no setup step. A server database (PostgreSQL) is shared
    and migrated deliberately (``wholesale-queue db upgrade``, run by ``airflow-init``): it is only checked.
    """
    migrated = False
    if engine.url.get_backend_name() == "sqlite":
        with _migration_lock(engine):
            if current_revision(engine) != SCHEMA_REVISION:
                upgrade(engine)
                migrated = True
    require_current(engine)
    return migrated
