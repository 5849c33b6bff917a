"""The preload plugin: Airflow's jobs import the task-side modules before they fork; task processes do not.

Each check runs in a fresh interpreter, as an Airflow component starts: what a module imports stays imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from webex_wholesale.preload import TASK_MODULES

PROBE = """
import json, sys
{start}
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("webex_wholesale.", "airflow.")))))
"""
STARTS = {
    # What the scheduler, dag-processor and triggerer do first: Job() calls the listeners' on_starting.
    "job": "from airflow.jobs.job import Job; Job()",
    # What every task process does in startup().
    "task": (
        "from airflow.listeners.listener import get_listener_manager\n"
        "from airflow.sdk.execution_time.task_runner import TaskRunnerMarker\n"
        "get_listener_manager().hook.on_starting(component=TaskRunnerMarker())"
    ),
}


def modules_loaded_after(start: str) -> list[str]:
    """The project's and Airflow's modules a fresh interpreter holds after ``start``."""
    probe = PROBE.format(start=STARTS[start])
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=dict(os.environ)
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_airflow_job_imports_the_task_modules_before_it_forks():
    loaded = modules_loaded_after("job")

    assert set(TASK_MODULES) <= set(loaded)
    assert "airflow.providers.http.hooks.http" in loaded  # the HTTP stack behind the hook


def test_a_task_process_imports_nothing_for_the_plugin():
    loaded = modules_loaded_after("task")

    assert "webex_wholesale.preload" in loaded  # the plugin was loaded, its listener called
    assert not set(TASK_MODULES) & set(loaded)
    assert "airflow.providers.http.hooks.http" not in loaded
