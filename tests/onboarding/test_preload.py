"""The preload plugin: Airflow's jobs import the task-side modules before they fork; task processes do not.

Each check runs in a fresh interpreter, as an Airflow component starts: what a module imports stays imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from webex_wholesale.preload import TASK_MODULES

pytestmark = pytest.mark.processes  # fresh interpreters that import Airflow: not in make test-fast

#: What the scheduler, dag-processor and triggerer do first: Job() calls the listeners' on_starting.
JOB_STARTS = "from airflow.jobs.job import Job; Job()"
#: What every task process does in startup().
TASK_STARTS = (
    "from airflow.listeners.listener import get_listener_manager\n"
    "from airflow.sdk.execution_time.task_runner import TaskRunnerMarker\n"
    "get_listener_manager().hook.on_starting(component=TaskRunnerMarker())"
)
LOADED = "sorted(m for m in sys.modules if m.startswith(('webex_wholesale.', 'airflow.')))"


def probe(start: str, then: str = "", result: str = LOADED) -> Any:
    """Run ``start`` then ``then`` in a fresh interpreter; return ``result`` evaluated there (JSON)."""
    code = f"import json, sys\n{start}\n{then}\nprint(json.dumps({result}))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=dict(os.environ)
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_airflow_job_imports_the_task_modules_before_it_forks():
    loaded = probe(JOB_STARTS)

    assert set(TASK_MODULES) <= set(loaded)
    assert "airflow.providers.http.hooks.http" in loaded  # the HTTP stack behind the hook


def test_an_airflow_job_builds_the_task_sdk_listener_registry_before_it_forks():
    built = "__import__('airflow.sdk.listener').sdk.listener.get_listener_manager.cache_info().currsize"

    assert probe(JOB_STARTS, result=built) == 1
    assert probe("import airflow.sdk.listener", result=built) == 0


def test_parsing_the_onboarding_dag_after_a_job_started_imports_nothing_more_of_ours():
    """TASK_MODULES lists what the DAG file imports: a task's parse finds it all inherited."""
    parse = (
        "before = set(sys.modules)\n"
        "import importlib.util, os\n"
        "path = os.path.join(os.environ['AIRFLOW__CORE__DAGS_FOLDER'], 'webex_wholesale_onboarding.py')\n"
        "spec = importlib.util.spec_from_file_location('onboarding_dag', path)\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))"
    )
    new = "sorted(m for m in set(sys.modules) - before if m.startswith(('webex_wholesale', 'airflow.providers')))"

    assert probe(JOB_STARTS, then=parse, result=new) == []


def test_a_task_process_imports_nothing_for_the_plugin():
    loaded = probe(TASK_STARTS)

    assert "webex_wholesale.preload" in loaded  # the plugin was loaded, its listener called
    assert not set(TASK_MODULES) & set(loaded)
    assert "airflow.providers.http.hooks.http" not in loaded
