"""The one way into the state database for code that reads or writes it (CLI, tasks, UI pages).

``open_state()`` returns the engine only once the schema is known to be current: the embedded SQLite default is
created or migrated on first use, and a command or a task that meets an un-migrated server database, or one it
cannot reach, stops with a message that says how to fix it, instead of a bare "no such table" and four retries.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from webex_wholesale.state.engine import get_engine
from webex_wholesale.state.errors import classify_connect_error
from webex_wholesale.state.migrate import ensure_current

__all__ = ["open_state"]

_checked: set[int] = set()
_checked_lock = threading.Lock()


def open_state(url: URL | str | None = None) -> Engine:
    """The state database's engine (default: the ``wholesale_db`` connection), migrated (SQLite) or checked.

    Raises :class:`~webex_wholesale.state.errors.StateDatabaseMisconfigured` (``StateDatabaseNotReady`` when
    the tables are missing) for what a retry cannot fix, :class:`~webex_wholesale.state.errors.StateDatabaseBusy`
    for what it can. The check runs once per engine and process; a database that is migrated later is picked up
    on the next call.
    """
    try:
        engine = get_engine(url)
    except (ValueError, ArgumentError, NoSuchModuleError, OSError) as error:  # no usable database is named
        raise classify_connect_error(error) from None
    with _checked_lock:
        if id(engine) not in _checked:
            try:
                ensure_current(engine)
            except (SQLAlchemyError, OSError) as error:
                raise classify_connect_error(error, engine.url) from error
            _checked.add(id(engine))
    return engine
