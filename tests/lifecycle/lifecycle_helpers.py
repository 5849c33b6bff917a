"""Orders the lifecycle tests share: none shares a value with the demo order (a run changes exactly what its order
says, never what the trigger form's defaults hold)."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

CHANGE_DAG = "webex_wholesale_change"
OFFBOARDING_DAG = "webex_wholesale_offboarding"
LOCATION_ADDRESS = {"addressLine1": "9 Kaiveien", "city": "Bergen", "country": "NO"}


def email(name: str, external_id: str) -> str:
    """A person's email at one test customer (an email is one Webex user across all customers)."""
    return f"{name}@{external_id}.example.net"


def person(name: str, external_id: str, package: str = "webex_meetings", **numbers: str) -> dict[str, Any]:
    """One subscriber of the test customer ``external_id``."""
    return {
        "email": email(name, external_id),
        "packages": [package],
        "provisioningParameters": {"firstName": name.title(), "lastName": "Fjord", **numbers},
    }


def base_order(external_id: str) -> dict[str, Any]:
    """A meetings-only customer of three people, on the simulator's GB meetings template."""
    return {
        "provisioningId": "demo-gb-meetings",
        "packages": ["webex_meetings"],
        "externalId": external_id,
        "address": dict(LOCATION_ADDRESS),
        "customerInfo": {"name": "Fjord Bikes AS", "primaryEmail": email("owner", external_id)},
        "provisioningParameters": {"meetings": {"timezone": "Europe/Oslo"}},
        "subscribers": [person(name, external_id) for name in ("owner", "mechanic", "seasonal")],
    }


def with_suite(order: dict[str, Any]) -> dict[str, Any]:
    """The order with webex_suite added to the customer (a calling package: it needs the calling location)."""
    changed = copy.deepcopy(order)
    changed["packages"] = ["webex_meetings", "webex_suite"]
    changed["provisioningParameters"]["calling"] = {
        "location": {"name": "Workshop", "address": dict(LOCATION_ADDRESS), "timezone": "Europe/Oslo",
                     "language": "nb_no"},
    }  # fmt: skip
    return changed


@dataclass
class LifecycleRun:
    """One DAG run as the tests inspect it."""

    run_id: str
    state: str
    task_states: dict[str, str]
    report: dict[str, Any] | None
    sim_state: dict[str, Any]

    def subscribers(self) -> dict[str, str]:
        """Email -> package of every subscriber the simulator holds."""
        return {s["email"]: s["packages"][0] for s in self.sim_state["subscribers"]}

    def customers(self) -> dict[str, dict[str, Any]]:
        """externalId -> customer record, as the simulator holds them."""
        return {c["externalId"]: c for c in self.sim_state["customers"]}

    def writes(self) -> list[tuple[str, str]]:
        """Every request that could change something (method, path), in order."""
        writes = ("POST", "PUT", "DELETE")
        return [(r["method"], r["path"]) for r in self.sim_state["requests"] if r["method"] in writes]


def onboard_directly(order: dict[str, Any]) -> str:
    """Create an order's customer and subscribers straight through the hook (the connection the environment
    names), acting for the order's sub-partner when it names one; return the customer id. Faster than an onboarding
    run, and the tests here are about what comes after."""
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook
    from webex_wholesale.models import parse_order

    parsed = parse_order(order)
    hook = WebexWholesaleHook(on_behalf_of_sub_partner_org_id=parsed.on_behalf_of_sub_partner_org_id)
    try:
        customer_id = hook.provision_customer(parsed.customer_body())
        hook.wait_for_customer(customer_id, end_time=time.time() + 30, poll_interval=0.1)
        for subscriber in parsed.subscribers:
            hook.provision_subscriber(subscriber.provision_body(customer_id))
    finally:
        hook.close()
    return customer_id
