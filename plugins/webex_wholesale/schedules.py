"""How a scheduled DAG reads its schedule from the environment, so a deployment sets it without editing DAG files.

A leaf module (no imports of the package): the queue and health DAG files read it at every parse.
"""

from __future__ import annotations

import os


def schedule_from_env(variable: str, default: str) -> str | None:
    """The cron (or preset) in ``variable``; ``none`` turns the schedule off; unset or empty means ``default``.

    Read by the scheduler and the DAG processor when they parse the DAG file, so both need the variable.
    """
    configured = os.environ.get(variable, "").strip()
    if configured.lower() == "none":
        return None
    return configured or default
