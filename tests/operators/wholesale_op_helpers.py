"""Shared pieces of the operator and trigger tests: orders, a fake TaskInstance, simulator helpers."""

from __future__ import annotations

import itertools
import time
from typing import Any

from helpers import DEMO_ORDER, demo_order

__all__ = ["DEMO_ORDER"]
_serial = itertools.count(1)


def unique(prefix: str = "op-test") -> str:
    return f"{prefix}-{time.time_ns() % 10**9}-{next(_serial)}"


def order_with(**changes: Any) -> dict[str, Any]:
    """The demo order with a unique externalId (unless given) and top-level fields replaced."""
    return demo_order(**{"externalId": unique("acme"), **changes})


def precheck_body(order: dict[str, Any]) -> dict[str, Any]:
    """What the onboarding's validation step hands the template check for ``order``."""
    from webex_wholesale.models import parse_order

    return parse_order(order).precheck_body()


def setup_assist_request(order: dict[str, Any]) -> dict[str, Any]:
    """What the onboarding's validation step hands the Setup Assist step for ``order``."""
    from webex_wholesale.models import parse_order
    from webex_wholesale.operators import build_setup_assist_request

    return build_setup_assist_request(parse_order(order))


def customer_body(order: dict[str, Any]) -> dict[str, Any]:
    """What the onboarding's validation step hands the customer step for ``order``."""
    from webex_wholesale.models import parse_order

    return parse_order(order).customer_body()


def meetings_subscribers(count: int, domain: str = "example.com", start: int = 1) -> list[dict[str, Any]]:
    """``count`` valid webex_meetings subscribers (no phone needed), unique per domain."""
    return [
        {
            "email": f"user{i:05d}@{domain}",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": "User", "lastName": f"N{i}"},
        }
        for i in range(start, start + count)
    ]


class FakeTI:
    """Collects ``xcom_push`` calls like a TaskInstance does."""

    def __init__(self, try_number: int = 1) -> None:
        self.xcom: dict[str, Any] = {}
        self.try_number = try_number

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


def context(try_number: int = 1) -> dict[str, Any]:
    return {"ti": FakeTI(try_number)}


def create_customer(order: dict[str, Any]) -> str:
    """POST the order's customer with a fresh hook; return its id."""
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook
    from webex_wholesale.models import parse_order

    hook = WebexWholesaleHook()
    try:
        return hook.provision_customer(parse_order(order).customer_body())
    finally:
        hook.close()


def wait_status(customer_id: str, wanted: str, timeout: float = 10.0) -> dict[str, Any]:
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

    hook = WebexWholesaleHook()
    deadline = time.monotonic() + timeout
    try:
        while True:
            customer = hook.get_customer(customer_id)
            if customer.status.value == wanted or time.monotonic() > deadline:
                assert customer.status.value == wanted, customer
                return customer.model_dump(mode="json", by_alias=True)
            time.sleep(0.05)
    finally:
        hook.close()


def provisioned_customer(order: dict[str, Any] | None = None) -> dict[str, Any]:
    """A provisioned customer (camelCase dict), created from ``order`` (default: a fresh demo order)."""
    return wait_status(create_customer(order or order_with()), "provisioned")
