"""Shared pieces of the whole-DAG tests: the demo order, how a run is summarised, order variants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpers import DEMO_ORDER, ROOT, SIM_TOKEN, demo_order

__all__ = ["DAG_ID", "DEMO_ORDER", "ROOT", "SIM_TOKEN", "RunResult", "order_with"]

DAG_ID = "webex_wholesale_onboarding"


@dataclass
class RunResult:
    """One DAG run as the tests inspect it."""

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
