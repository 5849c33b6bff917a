"""Absolute links to the pages, for messages sent outside the UI (a notification links to the order's page).

The root is Airflow's ``[api] base_url``, the address people open the UI at; the paths are the pages' own routes.
"""

from __future__ import annotations

from urllib.parse import quote

from webex_wholesale.ui import URL_PREFIX

__all__ = ["health_url", "order_url", "run_url"]

#: Airflow's own default for ``[api] base_url``.
_DEFAULT_BASE_URL = "http://localhost:8080"


def _pages_root() -> str:
    from airflow.configuration import conf

    base = conf.get("api", "base_url", fallback=None) or _DEFAULT_BASE_URL
    return base.rstrip("/") + URL_PREFIX


def order_url(order_id: int) -> str:
    return f"{_pages_root()}/orders/{order_id}"


def run_url(dag_id: str, run_id: str) -> str:
    return f"{_pages_root()}/runs/{quote(dag_id, safe='')}/{quote(run_id, safe='')}"


def health_url() -> str:
    return f"{_pages_root()}/health"
