"""The Health view: customers by health, each open finding with its age, and the repair a drift finding offers.

Repairing drift is queueing a change order: the last order applied to the customer, again, as the desired state.
The change DAG plans it against what Webex holds and asks a person to approve anything it would remove, as it does
for any change; this view only queues it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from webex_wholesale.models import parse_order
from webex_wholesale.models.health import FindingKind, duration_text
from webex_wholesale.models.states import OrderKind
from webex_wholesale.state.findings import find_finding, last_check, open_findings
from webex_wholesale.state.orders import QueuedOrder, enqueue, find_order, order_fields
from webex_wholesale.state.schema import utcnow

__all__ = ["NotRepairable", "health_page", "queue_repair"]


class NotRepairable(LookupError):
    """The finding is not open drift against a kept order, so there is no change order to queue for it."""


def _repairable(row: dict[str, Any]) -> bool:
    return row["kind"] == FindingKind.DRIFT and row["order_id"] is not None and row["resolved_at"] is None


def health_page(engine: Engine, now: datetime | None = None) -> dict[str, Any]:
    """The view's values: the last check, and the customers with open findings (most findings first)."""
    now = now or utcnow()
    customers: dict[str, dict[str, Any]] = {}
    for row in open_findings(engine):
        customer = customers.setdefault(
            row["external_id"],
            {
                "external_id": row["external_id"],
                "name": row["customer_name"],
                "order_id": row["order_id"],
                "findings": [],
            },
        )
        customer["findings"].append(
            {
                **row,
                "title": FindingKind(row["kind"]).title,
                "advice": FindingKind(row["kind"]).advice,
                "age": duration_text(now - row["first_seen"]),
                "repairable": _repairable(row),
            }
        )
    check = last_check(engine)
    unhealthy = sorted(customers.values(), key=lambda c: (-len(c["findings"]), c["external_id"]))
    healthy = max(0, (check["customers_checked"] or 0) - len(customers)) if check else None
    return {
        "check": check,
        "check_age": duration_text(now - check["finished_at"]) if check else None,
        "customers": unhealthy,
        "healthy": healthy,
    }


def queue_repair(engine: Engine, finding_id: int) -> int:
    """Queue the change order that repairs a drift finding (its customer's last order); return the new order's id.

    The order removes the users it does not list (``remove_unlisted``), as the drift check counted them: a plan that
    removes anything waits for a person's approval, so nothing is removed unseen.

    Raises :class:`NotRepairable`, or :class:`~webex_wholesale.state.orders.DuplicateOrder` when an order of the
    customer is already queued or running.
    """
    row = find_finding(engine, finding_id)
    if row is None or not _repairable(row):
        raise NotRepairable(f"finding {finding_id} is not open drift against a kept order: nothing to repair")
    order = parse_order(order_fields(find_order(engine, row["order_id"])["order_json"]), desired_state=True)
    source = f"health finding {finding_id} (drift repair)"
    (order_id,) = enqueue(engine, [QueuedOrder(order, source, kind=OrderKind.CHANGE, remove_unlisted=True)])
    return order_id
