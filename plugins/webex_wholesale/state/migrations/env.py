"""Alembic environment: migrate the connection handed over by :mod:`webex_wholesale.state.migrate`.

There is no alembic.ini: the project never runs the ``alembic`` command itself, so the URL, the version table and
the script location all come from code, and the state database is found the same way as everywhere else.
"""

from __future__ import annotations

from alembic import context

from webex_wholesale.state.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=context.config.attributes["version_table"],
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
