"""What an offboarded customer was: the customer and its subscribers as Webex held them just before the deletion.

Webex keeps nothing once a customer is deleted, so the offboarding stores this first; it answers "what did that
customer have" afterwards, and is what a re-onboarding would start from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, insert, select

from webex_wholesale.state.engine import immediate
from webex_wholesale.state.schema import snapshot_table, utcnow

__all__ = ["latest_snapshot", "store_snapshot"]


def store_snapshot(
    engine: Engine,
    *,
    external_id: str,
    customer_id: str,
    dag_run_id: str,
    customer: dict[str, Any],
    subscribers: Sequence[dict[str, Any]],
) -> int:
    """Store one snapshot (a retried task stores another: the latest one counts); return its id."""
    with immediate(engine) as conn:
        return conn.execute(
            insert(snapshot_table)
            .values(
                external_id=external_id,
                customer_id=customer_id,
                dag_run_id=dag_run_id,
                taken_at=utcnow(),
                customer_json=customer,
                subscribers_json=list(subscribers),
            )
            .returning(snapshot_table.c.id)
        ).scalar_one()


def latest_snapshot(engine: Engine, external_id: str) -> dict[str, Any] | None:
    """The customer's most recent snapshot, or ``None`` when it was never offboarded."""
    query = (
        select(snapshot_table)
        .where(snapshot_table.c.external_id == external_id)
        .order_by(snapshot_table.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None
