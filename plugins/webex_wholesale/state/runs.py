"""The onboarding run's side: load a queued order, record the run, record its outcome; and reconciliation.

Every onboarding run, queued or ad hoc, gets a ``wholesale_run`` row when it starts and records its outcome there
(and on its order, if it has one) when it ends. The queue DAG cannot ask Airflow's metadata database how a run
went (the Task SDK forbids it), so it reads these rows, and asks the Execution API (``ti.get_dagrun_state``)
only whether a run exists and has ended: see :func:`reconcile`.

Clearing a whole run in Airflow ("Clear run") starts it again under the same run id. An ad-hoc run then onboards
its order again and records its new end. A queued order's run that had ended ``failed`` or ``needs_attention``
retries the order instead, as ``wholesale-queue retry`` would: the order goes back to the queue, which starts a
new attempt under a new run id; the cleared run onboards nothing and keeps its first report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from webex_wholesale.models.states import OrderState, RunOutcome
from webex_wholesale.state.engine import immediate
from webex_wholesale.state.machine import ASSIGNED_STATES, ATTENTION_STATES
from webex_wholesale.state.orders import Claim, OrderNotFound, run_id_for, transition
from webex_wholesale.state.schema import order_table, run_table, utcnow

__all__ = [
    "OrderNotRunnable",
    "Reconciliation",
    "begin_order_run",
    "finish_run",
    "reconcile",
    "record_run_start",
]

#: Airflow DAG run states meaning "this run will do nothing more".
AIRFLOW_ENDED = frozenset({"success", "failed"})


class OrderNotRunnable(RuntimeError):
    """A run was asked to onboard an order the queue has not handed to it (so it would onboard it twice)."""


def _upsert_run(conn: Connection, dag_id: str, dag_run_id: str, **values: Any) -> None:
    """The run's row, ``running``: new, or the row of a run id that starts again (a retried first task, a cleared
    run), which then records its new end."""
    exists = conn.execute(select(run_table.c.id).where(run_table.c.dag_run_id == dag_run_id)).scalar()
    if exists is None:
        conn.execute(
            insert(run_table).values(
                dag_id=dag_id, dag_run_id=dag_run_id, state=OrderState.RUNNING, started_at=utcnow(), **values
            )
        )
    else:
        running = {"state": OrderState.RUNNING, "ended_at": None}
        conn.execute(update(run_table).where(run_table.c.id == exists).values(**running, **values))


def begin_order_run(engine: Engine, order_id: int, dag_id: str, dag_run_id: str) -> dict[str, Any]:
    """Mark a claimed order ``running`` in this run and return the order as validated at enqueue time.

    Only the run the claim named may take the order (a retried task of that run finds it ``running`` already), so an
    order is never onboarded by two runs. Anything else raises :class:`OrderNotRunnable` saying why; when the run
    is the order's last, ended ``failed`` or ``needs_attention``, and was cleared in Airflow, the order is retried
    first (see the module's docstring).
    """
    with immediate(engine) as conn:
        row = conn.execute(select(order_table).where(order_table.c.id == order_id)).mappings().first()
        if row is None:
            raise OrderNotFound(f"no order with id {order_id} in the wholesale state database")
        refusal = _refusal(row, dag_run_id)
        if refusal is None:
            if row["state"] == OrderState.CLAIMED:
                transition(conn, order_id, OrderState.RUNNING, f"run {dag_run_id} started")
            _upsert_run(
                conn,
                dag_id,
                dag_run_id,
                order_id=order_id,
                customer_external_id=row["external_id"],
                customer_name=row["customer_name"],
            )
        elif row["dag_run_id"] == dag_run_id and row["state"] in ATTENTION_STATES:
            transition(conn, order_id, OrderState.QUEUED, f"retry requested by clearing its run {dag_run_id}")
    if refusal is not None:
        raise OrderNotRunnable(refusal)  # after the commit: a retry by clearing stands
    return row["order_json"]


def _refusal(order: Mapping[str, Any], dag_run_id: str) -> str | None:
    """Why run ``dag_run_id`` may not onboard ``order`` (a row of the order table), or ``None`` when it may."""
    order_id, state, assigned = order["id"], order["state"], order["dag_run_id"]
    if assigned == dag_run_id and state in ASSIGNED_STATES:
        return None
    about = f"order {order_id} ({order['external_id']})"
    if assigned == dag_run_id and state in ATTENTION_STATES:
        next_run = run_id_for(order_id, order["attempts"] + 1)
        return (
            f"{about} had {state} in this run; clearing the run in Airflow retries the order: it is queued again "
            f"and the queue DAG starts it as run {next_run}. This run onboards nothing and keeps its first report."
        )
    if assigned == dag_run_id:
        return f"{about} is {state}: its run {dag_run_id} has ended and may not onboard it again"
    return (
        f"{about} is {state} and assigned to run {assigned or 'none'}, not to this run ({dag_run_id}): the queue "
        "DAG starts queued orders (`wholesale-queue retry ID` re-queues a failed one); to onboard it by hand, "
        "trigger with the order itself as conf"
    )


def record_run_start(
    engine: Engine, dag_id: str, dag_run_id: str, external_id: str | None, customer_name: str | None
) -> None:
    """Record an ad-hoc run (an inline order, no queue row) so it is listed by customer with the queued ones."""
    with immediate(engine) as conn:
        _upsert_run(conn, dag_id, dag_run_id, customer_external_id=external_id, customer_name=customer_name)


def record_plan(engine: Engine, dag_run_id: str, summary: str) -> None:
    """Keep a change's or offboarding's plan on its run, before anything is applied (the pages show it)."""
    with immediate(engine) as conn:
        conn.execute(update(run_table).where(run_table.c.dag_run_id == dag_run_id).values(plan_summary=summary))


def finish_run(
    engine: Engine,
    dag_run_id: str,
    outcome: RunOutcome,
    *,
    report: dict[str, Any] | None = None,
    customer_id: str | None = None,
    error: str | None = None,
    took_order: bool = True,
) -> None:
    """Record how a run ended, on the run and on its order (``error``: the problem line, kept unless it succeeded).

    Idempotent: recording the same outcome again (a retried task) changes nothing more. An order the run had not
    yet taken (still ``claimed``) can only have failed. A run without a ``wholesale_run`` row is ignored: it never
    got as far as starting (its order, if any, is then reconciled by the queue). A run that took no order
    (``took_order`` false: its first step refused it) records nothing over a row that has already ended: that row
    is an earlier run's of the same id, with the report of a run that did run (a cleared run, above).
    """
    outcome = RunOutcome(outcome)  # refuses a word that is not an outcome before anything is written
    with immediate(engine) as conn:
        run = conn.execute(select(run_table).where(run_table.c.dag_run_id == dag_run_id)).mappings().first()
        if run is None or (not took_order and run["state"] != OrderState.RUNNING):
            return
        values: dict[str, Any] = {"state": OrderState(outcome), "ended_at": utcnow()}
        if report is not None:
            values["report_json"] = report
        if customer_id is not None:
            values["customer_id"] = customer_id
        conn.execute(update(run_table).where(run_table.c.id == run["id"]).values(**values))
        if run["order_id"] is not None:
            _settle_order(conn, run["order_id"], dag_run_id, outcome, error, customer_id)


def _settle_order(
    conn: Connection, order_id: int, dag_run_id: str, outcome: RunOutcome, error: str | None, customer_id: str | None
) -> None:
    order = conn.execute(select(order_table).where(order_table.c.id == order_id)).mappings().first()
    if order is None or order["dag_run_id"] != dag_run_id or order["state"] not in ASSIGNED_STATES:
        return  # a later attempt owns the order now, or this outcome was recorded already
    target = OrderState.FAILED if order["state"] == OrderState.CLAIMED else OrderState(outcome)
    changes: dict[str, Any] = {"last_error": error if target != OrderState.SUCCEEDED else None}
    if customer_id is not None:
        changes["customer_id"] = customer_id
    # The error is the order's ``last_error`` (and the report's): the history says what moved, not why again.
    transition(conn, order_id, target, f"run {dag_run_id} ended {outcome}", **changes)


@dataclass(frozen=True)
class Reconciliation:
    """What one reconciliation pass did: claims to start (again) and orders it settled."""

    to_trigger: list[Claim]
    settled: dict[int, RunOutcome]


def reconcile(engine: Engine, airflow_run_state: Callable[[str, str], str | None]) -> Reconciliation:
    """Settle orders left ``claimed`` or ``running`` whose run ended or vanished; return claims to start again.

    ``airflow_run_state(dag_id, run_id)`` gives the order's DAG run's state (``queued``, ``running``, ``success``,
    ``failed``) or ``None`` when there is no such run. For each such order:

    - its run recorded an outcome (``wholesale_run``) that did not reach the order: the outcome is applied;
    - ``claimed`` and no run exists: the trigger never happened (or the run was deleted before starting): the claim
      is returned to be triggered again with the same run id, which is a no-op should the run exist after all;
    - the run ended in Airflow, or vanished while ``running``, without recording an outcome (killed, marked by
      hand, deleted): the order is ``failed`` with that reason, ready for ``wholesale-queue retry``;
    - otherwise the run is still queued or running: left alone.
    """
    with engine.connect() as conn:
        pending = conn.execute(
            select(
                order_table.c.id,
                order_table.c.state,
                order_table.c.dag_run_id,
                order_table.c.attempts,
                order_table.c.kind,
            ).where(order_table.c.state.in_(ASSIGNED_STATES))
        ).all()
        recorded = {
            row.dag_run_id: row.state
            for row in conn.execute(
                select(run_table.c.dag_run_id, run_table.c.state).where(
                    run_table.c.dag_run_id.in_([order.dag_run_id for order in pending])
                )
            )
        }
    to_trigger: list[Claim] = []
    settled: dict[int, RunOutcome] = {}
    for order in pending:
        recorded_state = recorded.get(order.dag_run_id)
        if recorded_state is not None and recorded_state != OrderState.RUNNING:
            outcome = RunOutcome(recorded_state)
            with immediate(engine) as conn:
                _settle_order(conn, order.id, order.dag_run_id, outcome, None, None)
            settled[order.id] = outcome
            continue
        airflow_state = airflow_run_state(order.kind.dag_id, order.dag_run_id)
        if airflow_state is None and order.state == OrderState.CLAIMED:
            to_trigger.append(
                Claim(order_id=order.id, attempt=order.attempts, dag_run_id=order.dag_run_id, kind=order.kind)
            )
        elif airflow_state is None or airflow_state in AIRFLOW_ENDED:
            why = "vanished" if airflow_state is None else f"ended {airflow_state}"
            error = f"its DAG run {order.dag_run_id} {why} without recording an outcome"
            if _fail_unsettled(engine, order.id, order.dag_run_id, error):
                settled[order.id] = RunOutcome.FAILED
    return Reconciliation(to_trigger=to_trigger, settled=settled)


def _fail_unsettled(engine: Engine, order_id: int, dag_run_id: str, error: str) -> bool:
    with immediate(engine) as conn:
        state = conn.execute(
            select(order_table.c.state).where(order_table.c.id == order_id, order_table.c.dag_run_id == dag_run_id)
        ).scalar()
        if state not in ASSIGNED_STATES:
            return False  # settled meanwhile (the run recorded its outcome after all)
        transition(conn, order_id, OrderState.FAILED, f"reconciled: {error}", last_error=error)
        conn.execute(
            update(run_table)
            .where(run_table.c.dag_run_id == dag_run_id, run_table.c.state == OrderState.RUNNING)
            .values(state=OrderState.FAILED, ended_at=utcnow())
        )
    return True
