"""What the health check looks at, as the state database knows it: customers the pipeline left in place, each with
the last order applied to it, and lifecycle runs that have not finished.

A customer is watched from its first finished run that recorded a Webex customer id (it exists at Webex then, even
when the run failed later on, or is held for review). Its latest such run decides what drift is measured against:
that run's order, unless the run failed (an order that was not applied is no measure). A run recorded without a
queued order (an inline order triggered by hand) keeps no order either: that customer's status and consent are
checked, not its drift. A customer offboarded is no longer watched; a change a person rejected changed nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from webex_wholesale.ids import CHANGE_DAG_ID, OFFBOARDING_DAG_ID, ONBOARDING_DAG_ID
from webex_wholesale.models.health import HealthTarget
from webex_wholesale.models.states import OrderState, RunOutcome
from webex_wholesale.state.orders import order_fields
from webex_wholesale.state.schema import order_table, run_table

__all__ = ["LIFECYCLE_DAG_IDS", "runs_started_before", "watched_customers"]

#: The DAGs whose runs make a customer what their order says (or, offboarding, delete it).
LIFECYCLE_DAG_IDS = (ONBOARDING_DAG_ID, CHANGE_DAG_ID, OFFBOARDING_DAG_ID)
#: The outcomes of a run whose order is in place at Webex (a failed run's order is not; a rejected change's order
#: was never applied, so the order before it still is, as the latest applied one).
_APPLIED = (RunOutcome.SUCCEEDED, RunOutcome.NEEDS_ATTENTION)


def watched_customers(engine: Engine) -> list[HealthTarget]:
    """One target per customer externalId, from its latest finished run that knew the customer, by externalId."""
    query = (
        select(
            run_table.c.customer_external_id,
            run_table.c.customer_id,
            run_table.c.customer_name,
            run_table.c.order_id,
            run_table.c.state,
            order_table.c.order_json,
        )
        .select_from(run_table.outerjoin(order_table, order_table.c.id == run_table.c.order_id))
        .where(
            run_table.c.dag_id.in_(LIFECYCLE_DAG_IDS),
            run_table.c.state.not_in((OrderState.RUNNING, RunOutcome.REJECTED)),
            run_table.c.customer_external_id.is_not(None),
            run_table.c.customer_id.is_not(None),
        )
        .order_by(run_table.c.id)
    )
    latest: dict[str, HealthTarget] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            if row.state == RunOutcome.OFFBOARDED:
                latest.pop(row.customer_external_id, None)  # deleted: nothing to watch until onboarded again
                continue
            latest[row.customer_external_id] = HealthTarget(
                external_id=row.customer_external_id,
                customer_id=row.customer_id,
                customer_name=row.customer_name,
                order_id=row.order_id,
                # An ad-hoc run has no stored order: no drift to check against.
                order=order_fields(row.order_json) if row.order_json is not None and row.state in _APPLIED else None,
            )
    return [latest[key] for key in sorted(latest)]


def runs_started_before(engine: Engine, cutoff: datetime) -> list[dict[str, Any]]:
    """Lifecycle runs still ``running`` that started before ``cutoff``, oldest first."""
    query = (
        select(run_table)
        .where(run_table.c.state == OrderState.RUNNING, run_table.c.started_at < cutoff)
        .order_by(run_table.c.started_at)
    )
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
