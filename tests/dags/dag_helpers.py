"""Shared pieces of the whole-DAG tests: the demo order, how a run is summarised, order variants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpers import DEMO_ORDER, ROOT, SIM_TOKEN, demo_order

__all__ = ["BASE_ORDER", "DAG_ID", "DEMO_ORDER", "ROOT", "SETUP_ASSISTANCE", "SIM_TOKEN", "RunResult", "order_with"]

DAG_ID = "webex_wholesale_onboarding"
#: An order that shares no value with the demo order (country, template, packages, people), without Setup Assist.
BASE_ORDER: dict[str, Any] = {
    "provisioningId": "demo-gb-meetings",
    "packages": ["webex_meetings"],
    "externalId": "harbour-optics-0007",
    "address": {"addressLine1": "12 Quay Street", "city": "Bristol", "country": "GB"},
    "customerInfo": {"name": "Harbour Optics Ltd", "primaryEmail": "ops@harbour-optics.example.com"},
    "provisioningParameters": {"meetings": {"timezone": "Europe/London"}},
    "subscribers": [
        {
            "email": f"{name}@harbour-optics.example.com",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": name.title(), "lastName": "Harbour"},
        }
        for name in ("ops", "lens", "frames")
    ],
}
SETUP_ASSISTANCE = {"contactName": "Priya Shah", "contactEmail": "priya@harbour-optics.example.com"}


@dataclass
class RunResult:
    """One DAG run as the tests inspect it."""

    run_id: str
    state: str
    task_states: dict[str, str]
    tries: dict[str, int]
    report: dict[str, Any] | None
    sim_state: dict[str, Any]
    bodies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Every customer and subscriber request body Webex received, as ``(what, body)``."""

    def api_calls(self, method: str | None = None, prefix: str = "/v1/") -> list[dict[str, Any]]:
        return [
            r
            for r in self.sim_state["requests"]
            if r["path"].startswith(prefix) and (method is None or r["method"] == method)
        ]


def order_with(**changes: Any) -> dict[str, Any]:
    """The demo order with top-level fields replaced."""
    return demo_order(**changes)
