"""Shared pieces of the whole-DAG tests: the demo order, how a run is summarised, order variants."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SIM_TOKEN = "dag-test-sim-token"
DAG_ID = "webex_wholesale_onboarding"
DEMO_ORDER = json.loads((ROOT / "include" / "orders" / "demo-order.json").read_text())


@dataclass
class RunResult:
    """One DAG run as the tests inspect it."""

    state: str
    task_states: dict[str, str]
    tries: dict[str, int]
    report: dict[str, Any] | None
    sim_state: dict[str, Any]

    def api_calls(self, method: str | None = None, prefix: str = "/v1/") -> list[dict[str, Any]]:
        return [
            r
            for r in self.sim_state["requests"]
            if r["path"].startswith(prefix) and (method is None or r["method"] == method)
        ]


def order_with(**changes: Any) -> dict[str, Any]:
    """The demo order with top-level fields replaced."""
    order = copy.deepcopy(DEMO_ORDER)
    order.update(changes)
    return order
