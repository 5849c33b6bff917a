"""What an onboarding run asks of the state database, in Airflow's terms: its order, and the record of its end.

The glue between a task's Airflow context and the state layer (which knows tables, not task instances):

- :func:`order_for_run` in the first task: the order named by ``{"orderId": N}`` (marked ``running``), or the
  inline order, which is recorded as an ad-hoc run. Every run thus has a ``wholesale_run`` row.
- :func:`record_outcome` in the final report task: the report's verdict on the run, and on its order.

The operators open their audit writer themselves (``webex_wholesale.state.audit.open_run_audit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from webex_wholesale.models.report import OnboardingReport, judge
from webex_wholesale.models.states import RunOutcome
from webex_wholesale.state.locks import CustomerBusy, acquire, release
from webex_wholesale.state.orders import OrderNotFound
from webex_wholesale.state.runs import AIRFLOW_ENDED, OrderNotRunnable, begin_order_run, finish_run, record_run_start
from webex_wholesale.state.store import open_state

__all__ = [
    "ORDER_ID_KEY",
    "CustomerBusyError",
    "OrderRefused",
    "lock_customer",
    "order_for_run",
    "record_outcome",
    "unlock_customer",
]

#: The conf key naming a queued order (``{"orderId": 42}``) instead of carrying it.
ORDER_ID_KEY = "orderId"


class CustomerBusyError(AirflowFailException):
    """Another run is onboarding, changing or offboarding this customer (the message names it); retrying this task
    cannot help until that run ends, so start this run again then."""


class OrderRefused(AirflowFailException):
    """The run's ``{"orderId": N}`` cannot be onboarded by this run; retrying cannot help (Airflow does not)."""


def _run_ids(context: Mapping[str, Any]) -> tuple[str, str]:
    ti = context["ti"]
    return ti.dag_id, ti.run_id


def order_for_run(conf: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The order this run onboards, and its ``wholesale_run`` row recorded.

    ``{"orderId": N}`` (nothing else) loads order N as validated at enqueue time and marks it ``running``; only the
    run the queue started for it may do so (:class:`OrderRefused` otherwise, as for a malformed or unknown id). Any
    other conf is an inline order, returned as given for the caller to validate, and recorded as an ad-hoc run
    under its externalId and customer name (as far as the conf has them).
    """
    dag_id, run_id = _run_ids(context)
    engine = open_state()
    if ORDER_ID_KEY in conf:
        extra = sorted(set(conf) - {ORDER_ID_KEY})
        if extra:
            raise OrderRefused(f"conf {{'orderId': N}} names a queued order and takes no other key; remove {extra}")
        order_id = conf[ORDER_ID_KEY]
        if not isinstance(order_id, int) or isinstance(order_id, bool):
            raise OrderRefused(f"orderId must be an integer order id, not {order_id!r}")
        try:
            order = begin_order_run(engine, order_id, dag_id, run_id)
        except (OrderNotFound, OrderNotRunnable) as refusal:
            raise OrderRefused(str(refusal)) from None
    else:
        info = conf.get("customerInfo")
        name = info.get("name") if isinstance(info, Mapping) else None
        external_id = conf.get("externalId")
        record_run_start(engine, dag_id, run_id, str(external_id) if external_id else None, name)
        order = dict(conf)
    lock_customer(context, order.get("externalId"))
    return order


def lock_customer(context: Mapping[str, Any], external_id: Any) -> None:
    """Take the customer's lock for this run (one onboarding, change or offboarding of a customer at a time), or
    fail at once with :class:`CustomerBusyError` naming the run that holds it. An order without an externalId
    takes none (its validation fails next)."""
    if not isinstance(external_id, str) or not external_id:
        return
    dag_id, run_id = _run_ids(context)
    ti = context["ti"]

    def ended(holder_dag_id: str, holder_run_id: str) -> bool:
        if ti.get_dr_count(dag_id=holder_dag_id, run_ids=[holder_run_id]) == 0:
            return True  # deleted, or never started
        return str(ti.get_dagrun_state(dag_id=holder_dag_id, run_id=holder_run_id)) in AIRFLOW_ENDED

    try:
        acquire(open_state(), external_id, dag_id, run_id, ended)
    except CustomerBusy as busy:
        raise CustomerBusyError(str(busy)) from None


def unlock_customer(context: Mapping[str, Any]) -> None:
    """Give back the customer's lock this run holds (its report, a teardown, calls this however the run ended)."""
    release(open_state(), _run_ids(context)[1])


def record_outcome(context: Mapping[str, Any], report: OnboardingReport, *, took_order: bool) -> RunOutcome:
    """Record the report's verdict on this run's ``wholesale_run`` row and its order; return the outcome.

    ``took_order``: whether the run's first step took an order; a run that took none (a cleared run whose order
    went back to the queue) keeps the report its row already has (``finish_run``)."""
    _, run_id = _run_ids(context)
    verdict = judge(report)
    try:
        finish_run(
            open_state(),
            run_id,
            verdict.outcome,
            report=report.model_dump(mode="json", by_alias=True),
            customer_id=report.customer_id,
            error=verdict.problem,
            took_order=took_order,
        )
    finally:
        unlock_customer(context)
    return verdict.outcome
