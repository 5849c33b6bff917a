"""What a change or offboarding run asks of the state database: its record, and the record of how it ended.

The glue between a task's Airflow context and the state layer, as ``webex_wholesale.onboarding`` has for
onboarding runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webex_wholesale.lifecycle.params import CONFIRM_EXTERNAL_ID_PARAM, EXTERNAL_ID_PARAM
from webex_wholesale.lifecycle.tasks import CHANGE_OPTIONS, prepare_change
from webex_wholesale.models.lifecycle_report import LifecycleReport, judge_lifecycle
from webex_wholesale.models.states import RunOutcome
from webex_wholesale.onboarding.run_state import order_for_run, unlock_customer
from webex_wholesale.state.runs import finish_run
from webex_wholesale.state.snapshots import store_snapshot
from webex_wholesale.state.store import open_state


def change_for_run(conf: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The change this run applies (see :func:`~webex_wholesale.lifecycle.tasks.prepare_change`): the inline order
    or the queued one ``{"orderId": N}`` names, recorded as a run of its customer, whose lock it takes."""
    options = {key: conf[key] for key in CHANGE_OPTIONS if key in conf}
    return prepare_change({**order_for_run({k: v for k, v in conf.items() if k not in options}, context), **options})


def record_lifecycle_outcome(context: Mapping[str, Any], report: LifecycleReport) -> RunOutcome:
    """Record the report's verdict on this run's ``wholesale_run`` row and its order; return the outcome."""
    verdict = judge_lifecycle(report)
    try:
        finish_run(
            open_state(),
            context["ti"].run_id,
            verdict.outcome,
            report=report.model_dump(mode="json", by_alias=True),
            customer_id=report.customer_id,
            error=verdict.problem,
        )
    finally:
        unlock_customer(context)
    return verdict.outcome


def offboarding_for_run(conf: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The customer this run offboards (``externalId`` and ``confirmExternalId``, checked by the plan step), inline
    or from the queued order ``{"orderId": N}`` names; recorded as a run of that customer, whose lock it takes."""
    target = order_for_run(conf, context)
    return {key: target.get(key) for key in (EXTERNAL_ID_PARAM, CONFIRM_EXTERNAL_ID_PARAM)}


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
