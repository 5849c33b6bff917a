"""Run queued orders: claim up to N, start one run per order of the DAG its kind names, reconcile.

An order's kind is ``onboard`` (``webex_wholesale_onboarding``; every order without one), ``change``
(``webex_wholesale_change``) or ``offboard`` (``webex_wholesale_offboarding``).

Orders enter the queue with ``wholesale-queue add`` (see docs/queue.md). Each round of this DAG:

1. **reconcile_orders**: settles orders left ``claimed`` or ``running`` from earlier rounds. The outcome comes from
   the ``wholesale_run`` row the onboarding run writes itself when it ends; Airflow's own record is asked only
   whether the run exists and has ended (``ti.get_dr_count`` / ``ti.get_dagrun_state``, the Task SDK's Execution
   API: a task may not open Airflow's metadata database). A claimed order whose run never appeared is started again
   under the same run id; a run that ended or vanished without recording an outcome fails its order (then
   ``wholesale-queue retry ID``).
2. **claim_orders**: takes up to ``webex_wholesale_queue_max_orders`` (Airflow Variable, default 10) queued orders
   in one committed transaction (PostgreSQL ``FOR UPDATE SKIP LOCKED``, SQLite ``BEGIN IMMEDIATE``).
3. **start_onboarding**: one mapped ``TriggerDagRunOperator`` per order, of its kind's DAG, run id ``order-<id>``
   (attempt k > 1 of a retried order: ``order-<id>-<k>``), conf ``{"orderId": <id>}``. The run id is deterministic and
   ``skip_when_already_exists`` is set, so starting one twice does nothing: no order is onboarded twice.

Schedule: every 10 minutes, or the cron expression in the environment variable
``WEBEX_WHOLESALE_QUEUE_SCHEDULE`` of the scheduler/DAG processor (``none`` for trigger-only).
``airflow dags trigger webex_wholesale_queue`` starts a round at once. Follow each order with
``wholesale-queue show ID`` or on the Wholesale onboarding page of the Airflow UI.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import Variable, dag, get_current_context, task

from webex_wholesale.ids import QUEUE_DAG_ID
from webex_wholesale.schedules import scheduled_dag_settings

DEFAULT_SCHEDULE = "*/10 * * * *"
MAX_ORDERS_VARIABLE = "webex_wholesale_queue_max_orders"
DEFAULT_MAX_ORDERS = 10


def _run_state(dag_id: str, run_id: str) -> str | None:
    """An order's run's Airflow state, or ``None`` when no such run exists (never started, or deleted)."""
    ti = get_current_context()["ti"]
    if ti.get_dr_count(dag_id=dag_id, run_ids=[run_id]) == 0:
        return None
    return str(ti.get_dagrun_state(dag_id=dag_id, run_id=run_id))


@dag(
    dag_id=QUEUE_DAG_ID,
    **scheduled_dag_settings("WEBEX_WHOLESALE_QUEUE_SCHEDULE", DEFAULT_SCHEDULE),
    # A round's tasks fail on a busy state database or Execution API: retried 20 s then 40 s later, well within
    # the 10 minutes before the next round (one round at a time).
    default_args={
        "owner": "wholesale-ops",
        "retries": 2,
        "retry_delay": timedelta(seconds=20),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=2),
    },
    tags=["webex", "wholesale", "queue"],
    doc_md=__doc__,
)
def webex_wholesale_queue() -> None:
    @task
    def reconcile_orders() -> list[dict]:
        """Settle orders whose run ended or vanished; return the claims whose run must be started again."""
        from webex_wholesale.state.runs import reconcile
        from webex_wholesale.state.store import open_state

        result = reconcile(open_state(), _run_state)
        for order_id, state in sorted(result.settled.items()):
            print(f"order {order_id}: settled as {state}")
        for claim in result.to_trigger:
            print(f"order {claim.order_id}: claimed but run {claim.dag_run_id} not found, starting it again")
        return [claim.trigger_kwargs for claim in result.to_trigger]

    @task
    def claim_orders(restarts: list[dict]) -> list[dict]:
        """Claim up to N queued orders (committed before any run starts); return one trigger per order."""
        from webex_wholesale.state.orders import claim
        from webex_wholesale.state.store import open_state

        limit = int(Variable.get(MAX_ORDERS_VARIABLE, default=DEFAULT_MAX_ORDERS))
        claims = claim(open_state(), limit)
        for item in claims:
            print(f"order {item.order_id}: claimed, attempt {item.attempt}, run {item.dag_run_id}")
        return restarts + [item.trigger_kwargs for item in claims]

    # Each claim names its DAG by the order's kind: onboard, change or offboard.
    TriggerDagRunOperator.partial(
        task_id="start_onboarding",
        logical_date=None,
        skip_when_already_exists=True,
        wait_for_completion=False,
    ).expand_kwargs(claim_orders(reconcile_orders()))


webex_wholesale_queue()
