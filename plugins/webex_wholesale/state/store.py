"""The one way into the state database for code that reads or writes it (CLI, tasks, UI pages).

``open_state()`` returns the engine only once the schema is known to be current, so a command or a task that
meets an un-migrated database stops with a message that says how to fix it, instead of a bare "no such table".
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from webex_wholesale.state.engine import get_engine
from webex_wholesale.state.migrate import require_current

__all__ = ["open_state"]

_checked: set[int] = set()
_checked_lock = threading.Lock()


def open_state(url: URL | str | None = None) -> Engine:
    """The state database's engine (default: the ``wholesale_db`` connection), checked to be migrated.

    Raises :class:`~webex_wholesale.state.migrate.StateDatabaseNotReady` when it is not. The check runs once per
    engine and process; a database that is migrated later is picked up on the next call.
    """
    engine = get_engine(url)
    with _checked_lock:
        if id(engine) not in _checked:
            require_current(engine)
            _checked.add(id(engine))
    return engine
