"""What a change or offboarding run asks of the state database: its record, and the record of how it ended.

The glue between a task's Airflow context and the state layer, as ``webex_wholesale.onboarding`` has for
onboarding runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webex_wholesale.lifecycle.params import CONFIRM_EXTERNAL_ID_PARAM, EXTERNAL_ID_PARAM
from webex_wholesale.lifecycle.report import LifecycleReport, judge_lifecycle
from webex_wholesale.lifecycle.tasks import prepare_change
from webex_wholesale.state.runs import finish_run, record_run_start
from webex_wholesale.state.snapshots import store_snapshot
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


def offboarding_for_run(conf: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The customer this run offboards (``externalId`` and ``confirmExternalId``, checked by the plan step),
    recorded as a run of that customer."""
    external_id = conf.get(EXTERNAL_ID_PARAM)
    ti = context["ti"]
    record_run_start(open_state(), ti.dag_id, ti.run_id, str(external_id) if external_id else None, None)
    return {"externalId": external_id, "confirmExternalId": conf.get(CONFIRM_EXTERNAL_ID_PARAM)}


def snapshot_customer(context: Mapping[str, Any], customer_id: str) -> str:
    """Store the customer and every subscriber, as Webex holds them now, in the state database; return its id.

    Read again right before the deletion (not taken from the plan), so the snapshot is what is deleted.
    """
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

    hook = WebexWholesaleHook()
    try:
        customer = hook.get_customer(customer_id)
        held = hook.list_subscribers(customer_id=customer_id)
    finally:
        hook.close()
    snapshot_id = store_snapshot(
        open_state(),
        external_id=customer.external_id or customer_id,
        customer_id=customer_id,
        dag_run_id=context["ti"].run_id,
        customer=customer.model_dump(mode="json"),
        subscribers=[s.model_dump(mode="json") for s in held],
    )
    print(f"snapshot {snapshot_id}: customer {customer_id} and {len(held)} subscribers stored")
    return customer_id
