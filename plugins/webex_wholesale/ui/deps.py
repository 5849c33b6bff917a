"""Dependencies every route of the plugin app shares, pages and orders API alike."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import Engine

from webex_wholesale.state.store import open_state

__all__ = ["StateDep", "state_engine"]


def state_engine() -> Engine:
    """The state database (``wholesale_db``), checked to be migrated; a dependency so tests can point it elsewhere."""
    return open_state()


StateDep = Annotated[Engine, Depends(state_engine)]
