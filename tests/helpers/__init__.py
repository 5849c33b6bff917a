"""What the tests share: the repository root, the demo order, the simulator's token and the connections.

Importable as ``helpers`` from any test (pytest puts ``tests/`` on ``sys.path`` for ``tests/conftest.py``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEMO_ORDER_FILE = ROOT / "include" / "orders" / "demo-order.json"
#: The demo order as the file holds it; use :func:`demo_order` for a copy to change.
DEMO_ORDER: dict[str, Any] = json.loads(DEMO_ORDER_FILE.read_text(encoding="utf-8"))
SIM_TOKEN = "test-sim-token"


def demo_order(**changes: Any) -> dict[str, Any]:
    """A deep copy of the demo order with top-level fields replaced."""
    order = copy.deepcopy(DEMO_ORDER)
    order.update(changes)
    return order


def wholesale_connection(sim: Any) -> str:
    """``AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT`` for a running simulator."""
    return json.dumps({"conn_type": "webex_wholesale", "host": sim.base_url, "password": sim.token})


def setup_assist_connection(sim: Any, path: str = "/setup-assist/v1") -> str:
    """``AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT`` for the simulator's intake (or another ``path`` on it)."""
    return json.dumps({"conn_type": "http", "host": f"{sim.url}{path}"})


def wire_connections(monkeypatch: Any, sim: Any, *, setup_assist: bool = True) -> None:
    """Point the Webex connection, and unless told otherwise the Setup Assist channel, at ``sim``."""
    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", wholesale_connection(sim))
    if setup_assist:
        monkeypatch.setenv("AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT", setup_assist_connection(sim))
    else:
        monkeypatch.delenv("AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT", raising=False)
