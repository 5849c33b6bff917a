"""One lifecycle run per customer at a time: a lock row per externalId in the state database.

An onboarding, a change and an offboarding of one customer must not interleave (a change planned against a
customer that an offboarding is deleting would apply to nothing, or worse). The first step of each run takes the
lock; its report (a teardown, which runs however the run ends) releases it. A run that ended without releasing it
(killed, marked failed by hand) does not keep it: the next run asks Airflow whether the holder has ended and, if so,
takes the lock over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from webex_wholesale.state.engine import immediate
from webex_wholesale.state.schema import lock_table, utcnow

__all__ = ["CustomerBusy", "acquire", "holder", "release"]

#: Asked with ``(dag_id, dag_run_id)`` of the lock's holder: whether that run has ended (or never existed).
HolderEnded = Callable[[str, str], bool]


class CustomerBusy(RuntimeError):
    """Another run is working on this customer; the message names it."""


def acquire(engine: Engine, external_id: str, dag_id: str, dag_run_id: str, holder_ended: HolderEnded) -> None:
    """Take the customer's lock for this run, or raise :class:`CustomerBusy` naming the run that holds it.

    Taking it again in the run that holds it (a retried task) is a no-op; a holder that has ended is replaced.
    """
    values = {"external_id": external_id, "dag_id": dag_id, "dag_run_id": dag_run_id, "acquired_at": utcnow()}
    try:
        with immediate(engine) as conn:
            row = conn.execute(select(lock_table).where(lock_table.c.external_id == external_id)).mappings().first()
            if row is None:
                conn.execute(insert(lock_table).values(**values))
                return
            if row["dag_run_id"] == dag_run_id:
                return
            if not holder_ended(row["dag_id"], row["dag_run_id"]):
                raise CustomerBusy(_busy(external_id, row))
            conn.execute(
                update(lock_table)
                .where(lock_table.c.external_id == external_id, lock_table.c.dag_run_id == row["dag_run_id"])
                .values(**values)
            )
    except IntegrityError:  # PostgreSQL: another run inserted the lock between our read and our insert
        row = holder(engine, external_id)
        raise CustomerBusy(_busy(external_id, row or values)) from None


def release(engine: Engine, dag_run_id: str) -> bool:
    """Give back the lock this run holds, if any (never another run's); return whether there was one."""
    with immediate(engine) as conn:
        result = conn.execute(delete(lock_table).where(lock_table.c.dag_run_id == dag_run_id))
    return result.rowcount > 0


def holder(engine: Engine, external_id: str) -> dict[str, Any] | None:
    """The lock row of the customer (``dag_id``, ``dag_run_id``, ``acquired_at``), or ``None`` when it is free."""
    with engine.connect() as conn:
        row = conn.execute(select(lock_table).where(lock_table.c.external_id == external_id)).mappings().first()
    return dict(row) if row is not None else None


def _busy(external_id: str, row: Any) -> str:
    return (
        f"customer {external_id!r} is being worked on by run {row['dag_run_id']} of DAG {row['dag_id']} "
        f"(since {row['acquired_at']:%Y-%m-%d %H:%M:%S} UTC): one lifecycle run per customer at a time; "
        "start this one again once that run has ended"
    )
