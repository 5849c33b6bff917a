"""How a scheduled DAG reads its schedule from the environment, so a deployment sets it without editing DAG files,
and the settings every scheduled DAG of the project shares.

A leaf module (no imports of the package): the queue and health DAG files read it at every parse.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any


def schedule_from_env(variable: str, default: str) -> str | None:
    """The cron (or preset) in ``variable``; ``none`` turns the schedule off; unset or empty means ``default``.

    Read by the scheduler and the DAG processor when they parse the DAG file, so both need the variable.
    """
    configured = os.environ.get(variable, "").strip()
    if configured.lower() == "none":
        return None
    return configured or default


def scheduled_dag_settings(variable: str, default: str) -> dict[str, Any]:
    """The ``@dag`` arguments of a scheduled round (the queue, the health check): its schedule from ``variable``,
    no catch-up of rounds missed while Airflow was down, and one round at a time."""
    return {
        "schedule": schedule_from_env(variable, default),
        "start_date": datetime(2026, 1, 1, tzinfo=UTC),
        "catchup": False,
        "max_active_runs": 1,
    }
