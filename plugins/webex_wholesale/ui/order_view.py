"""A queued order as its page shows it: what was ordered, so a person looking at a failure sees the order itself.

The order is the JSON stored at enqueue time (validated then, camelCase). Its top-level fields are shown under the
names the order file gave them (nested ones render by their shape), and its subscribers as a table with their
names, the first one marked as the administrator it becomes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Most subscribers the page lists; an order may hold 20,000 (the page says how many it leaves out).
SUBSCRIBER_LIMIT = 500
#: Top-level fields shown first, in this order; any other field follows under its own label.
_LEADING = ("externalId", "customerInfo", "provisioningId", "packages", "orgId", "address")


@dataclass(frozen=True)
class OrderView:
    fields: list[tuple[str, Any]]
    #: One row per subscriber (at most :data:`SUBSCRIBER_LIMIT`): email, name, package, role, phone, extension.
    subscribers: list[dict[str, Any]]
    subscriber_total: int


def _name(subscriber: Mapping[str, Any]) -> str | None:
    """A subscriber's name: a report's ``name``, or an order's ``provisioningParameters`` first and last name."""
    params = subscriber.get("provisioningParameters") or {}
    name = subscriber.get("name") or " ".join(str(params[k]) for k in ("firstName", "lastName") if params.get(k))
    return name or None


def subscriber_names(subscribers: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Email (lower case, as Webex compares them) to name, for the audit records, which name subscribers by
    email only, from an order's or a report's subscribers."""
    return {str(s["email"]).lower(): name for s in subscribers if s.get("email") and (name := _name(s))}


def _subscriber_row(index: int, subscriber: Mapping[str, Any]) -> dict[str, Any]:
    params = subscriber.get("provisioningParameters") or {}
    return {
        "email": subscriber.get("email"),
        "name": _name(subscriber),
        "package": ", ".join(subscriber.get("packages") or []) or None,
        "role": "administrator" if index == 0 else None,
        "phone": params.get("primaryPhoneNumber"),
        "extension": params.get("extension"),
    }


def order_view(order: Mapping[str, Any]) -> OrderView:
    """Arrange one stored order for its page; no field is dropped."""
    subscribers = list(order.get("subscribers") or [])
    keys = [key for key in _LEADING if key in order] + [k for k in order if k not in _LEADING and k != "subscribers"]
    return OrderView(
        fields=[(key, order[key]) for key in keys if order[key] not in (None, "", [], {})],
        subscribers=[_subscriber_row(i, s) for i, s in enumerate(subscribers[:SUBSCRIBER_LIMIT])],
        subscriber_total=len(subscribers),
    )
