"""What a change or offboarding run asks of the state database: its record, and the record of how it ended.

The glue between a task's Airflow context and the state layer, as ``webex_wholesale.onboarding`` has for
onboarding runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webex_wholesale.lifecycle.report import LifecycleReport, judge_lifecycle
from webex_wholesale.lifecycle.tasks import prepare_change
from webex_wholesale.state.runs import finish_run, record_run_start
from webex_wholesale.state.store import open_state


def change_for_run(conf: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The change this run applies (see :func:`~webex_wholesale.lifecycle.tasks.prepare_change`), recorded as a run
    of its customer."""
    change = prepare_change(conf)
    ti = context["ti"]
    name = (change["order"].get("customerInfo") or {}).get("name")
    record_run_start(open_state(), ti.dag_id, ti.run_id, change["externalId"], name)
    return change


def record_lifecycle_outcome(context: Mapping[str, Any], report: LifecycleReport) -> str:
    """Record the report's verdict on this run's ``wholesale_run`` row and its order; return the outcome."""
    outcome, problem = judge_lifecycle(report)
    finish_run(
        open_state(),
        context["ti"].run_id,
        outcome,
        report=report.model_dump(mode="json", by_alias=True),
        customer_id=report.customer_id,
        error=problem,
    )
    return outcome
