"""Orders and databases for the state and queue tests (imported by tests/state and tests/queue)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from webex_wholesale.models import parse_order
from webex_wholesale.state.orders import QueuedOrder

ROOT = Path(__file__).resolve().parents[2]
DEMO_ORDER: dict[str, Any] = json.loads((ROOT / "include" / "orders" / "demo-order.json").read_text())


def order_data(external_id: str, subscribers: int = 2) -> dict[str, Any]:
    """A valid order (the demo customer's shape) with its own externalId and ``subscribers`` users."""
    order = copy.deepcopy(DEMO_ORDER)
    order["externalId"] = external_id
    domain = f"{external_id.replace('_', '-')}.example.com"
    # Webex users are global: each customer needs its own emails, the administrator's included.
    order["customerInfo"]["primaryEmail"] = f"admin@{domain}"
    admin = {**order["subscribers"][0], "email": f"admin@{domain}"}
    users = [admin]
    for index in range(1, subscribers):
        users.append(
            {
                "email": f"user{index}@{domain}",
                "packages": ["webex_meetings"],
                "provisioningParameters": {"firstName": "User", "lastName": f"Number{index}"},
            }
        )
    order["subscribers"] = users
    return order


def queued(external_id: str, subscribers: int = 2, source: str = "test") -> QueuedOrder:
    return QueuedOrder(parse_order(order_data(external_id, subscribers)), source)
