"""What an onboarding run asks of the state database: its order, its audit writer, the record of how it ended.

The onboarding DAG calls these three functions and nothing else from the state layer, so the DAG and operators
stay unaware of tables and transactions:

- :func:`order_for_run` in the first task: the order named by ``{"orderId": N}`` (marked ``running``), or the
  inline order, which is recorded as an ad-hoc run. Every run thus has a ``wholesale_run`` row.
- :func:`audit_writer_for` in each task that calls the API: the hook's ``call_observer``.
- :func:`record_outcome` in the final report task: outcome and report on the run, and on its order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy import select

from webex_wholesale.state.audit import DEFAULT_BATCH_SIZE, AuditWriter, RunContext
from webex_wholesale.state.orders import OrderNotFound
from webex_wholesale.state.runs import OrderNotRunnable, begin_order_run, finish_run, record_run_start
from webex_wholesale.state.schema import run_table
from webex_wholesale.state.store import open_state

__all__ = [
    "ORDER_ID_KEY",
    "OrderRefused",
    "audit_writer_for",
    "order_for_run",
    "outcome_of_report",
    "problem_of_report",
    "record_outcome",
    "record_subscriber_outcomes",
]

#: The conf key naming a queued order (``{"orderId": 42}``) instead of carrying it.
ORDER_ID_KEY = "orderId"


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
            return begin_order_run(engine, order_id, dag_id, run_id)
        except (OrderNotFound, OrderNotRunnable) as refusal:
            raise OrderRefused(str(refusal)) from None
    info = conf.get("customerInfo")
    name = info.get("name") if isinstance(info, Mapping) else None
    external_id = conf.get("externalId")
    record_run_start(engine, dag_id, run_id, str(external_id) if external_id else None, name)
    return dict(conf)


def audit_writer_for(context: Mapping[str, Any], *, buffered: bool = False) -> AuditWriter:
    """An audit writer stamped with this task and the run's order and customer (from its ``wholesale_run`` row).

    ``buffered`` writes in batches (the caller must close the writer); otherwise each row is written at once.
    """
    engine = open_state()
    _, run_id = _run_ids(context)
    with engine.connect() as conn:
        run = conn.execute(
            select(run_table.c.order_id, run_table.c.customer_external_id, run_table.c.customer_id).where(
                run_table.c.dag_run_id == run_id
            )
        ).first()
    order = {}
    if run is not None:
        order = {"order_id": run.order_id, "customer_external_id": run.customer_external_id}
        order["customer_id"] = run.customer_id
    batch_size = DEFAULT_BATCH_SIZE if buffered else 1
    return AuditWriter(engine, RunContext.from_airflow(context, **order), batch_size=batch_size)


def record_subscriber_outcomes(writer: AuditWriter, outcomes: Iterable[Mapping[str, Any]]) -> None:
    """One audit row per subscriber outcome (``SubscriberOutcome`` JSON, as the subscriber operator publishes it)."""
    for outcome in outcomes:
        writer.subscriber_outcome(
            outcome["email"],
            str(outcome["result"]),
            http_status=outcome.get("httpStatus"),
            tracking_id=outcome.get("trackingId"),
            error_codes=outcome.get("errorCodes") or (),
            reason=outcome.get("message") if outcome.get("result") == "failed" else None,
        )


def outcome_of_report(report: Mapping[str, Any]) -> str:
    """``succeeded``, ``failed`` or ``needs_attention`` from the onboarding report.

    Needs attention: the customer is held for compliance review (``pending_rpl_review``: a human clears it in
    Partner Hub, then a retry adopts the customer), or users still have to consent.
    """
    outcome = str(report.get("outcome", ""))
    if report.get("customerStatus") == "pending_rpl_review":
        return "needs_attention"
    if outcome.startswith("failed"):
        return "failed"
    if "consent" in outcome:
        return "needs_attention"
    return "succeeded"


def problem_of_report(report: Mapping[str, Any]) -> str | None:
    """One line saying what went wrong (the order's ``last_error``), or ``None`` when nothing did."""
    problems = [
        f"{step.get('taskId')}: {step.get('message') or step.get('state')}"
        for step in report.get("steps") or []
        if step.get("state") in ("failed", "upstream_failed") and step.get("message")
    ]
    failed_users = sum(1 for s in report.get("subscribers") or [] if s.get("result") == "failed")
    if failed_users:
        problems.append(f"{failed_users} subscriber(s) failed")
    if report.get("customerStatus") == "pending_rpl_review":
        problems.insert(0, "customer held in pending_rpl_review: clear it in Partner Hub, then retry")
    if not problems and outcome_of_report(report) != "succeeded":
        problems.append(str(report.get("outcome")))
    return "; ".join(problems) or None


def record_outcome(context: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    """Record how this run ended on its ``wholesale_run`` row and its order; return the outcome recorded."""
    _, run_id = _run_ids(context)
    outcome = outcome_of_report(report)
    finish_run(
        open_state(),
        run_id,
        outcome,
        report=dict(report),
        customer_id=report.get("customerId"),
        error=problem_of_report(report),
    )
    return outcome
