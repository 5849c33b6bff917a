"""Import the modules a task needs in Airflow's long-lived components, before they fork the processes that run
tasks.

The scheduler forks its LocalExecutor workers once, at start-up, and each task process is forked from one of them;
the dag-processor forks a process per DAG file it parses. A module imported before those forks is inherited, not
imported again. The task-side modules are imported lazily on purpose (the HTTP provider's hook pulls in aiohttp
and requests, the models pull in pydantic, the state database SQLAlchemy's ORM), so parsing the DAG file stays
cheap; without this, every task process imports them itself: about 0.3 s of CPU per task, paid again by each
step of an onboarding and by each batch of its fan-out.

Airflow calls the listener hook ``on_starting`` as each component starts: every job (scheduler, dag-processor,
triggerer) before it forks anything, and every task process. A task process imports what it uses itself, so that
call is left alone: a deployment's other DAGs never pay for these imports.

A job also builds the Task SDK's listener registry (``airflow.sdk.listener.get_listener_manager``, cached), which
each task process otherwise builds in its start-up by loading the plugins again and scanning every installed
distribution's entry points (about 0.1 s).
"""

from __future__ import annotations

import importlib
from typing import Any

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

#: What the onboarding DAG file imports (each task process parses it first), then what its tasks import after it:
#: hook and HTTP stack, models, state database, report.
TASK_MODULES = (
    "airflow.sdk.definitions.decorators",
    "airflow.providers.standard.decorators.short_circuit",
    "airflow.providers.standard.operators.empty",
    "webex_wholesale.operators",
    "webex_wholesale.onboarding.batching",
    "webex_wholesale.onboarding.params",
    "webex_wholesale.onboarding.report_operator",
    "webex_wholesale.onboarding.notify_outcome",
    "webex_wholesale.onboarding.tasks",
    "webex_wholesale.hooks.wholesale",
    "webex_wholesale.models",
    "webex_wholesale.onboarding.run_state",
    "webex_wholesale.state.audit",
    "webex_wholesale.operators.subscriber_batch",
    "webex_wholesale.onboarding.report",
    "webex_wholesale.models.report",
    "webex_wholesale.triggers.customer",
)


class TaskModulePreloader:
    """The listener: imports :data:`TASK_MODULES` when an Airflow job (not a task) starts."""

    @hookimpl
    def on_starting(self, component: Any) -> None:
        from airflow.sdk.execution_time.task_runner import TaskRunnerMarker

        if isinstance(component, TaskRunnerMarker):
            return
        for name in TASK_MODULES:
            importlib.import_module(name)
        from airflow.sdk.listener import get_listener_manager

        get_listener_manager()


class WebexWholesalePreloadPlugin(AirflowPlugin):
    """Registers :class:`TaskModulePreloader` (listeners come from plugins)."""

    name = "webex_wholesale_preload"
    listeners = [TaskModulePreloader()]
