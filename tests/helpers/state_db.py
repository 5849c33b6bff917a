"""A state database for a test: migrated, and emptied of what an earlier test on the same database left."""

from __future__ import annotations

from sqlalchemy import Engine, text

from webex_wholesale.state import migrate
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.schema import metadata


def migrated_engine(url: str) -> Engine:
    """An engine on ``url`` with the schema migrated and every table empty (a PostgreSQL database is shared by the
    tests of one pytest-xdist worker; a SQLite file is the test's own, and empty already when it is new)."""
    engine = create_state_engine(url)
    migrate.upgrade(engine)
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(metadata.tables[table].delete())
    return engine
