"""A change order that came through the queue: its run gets only ``{"orderId": N}``, so ``removeUnlisted`` must
travel with the stored order. A whole ``webex_wholesale_change`` run with ``dag.test()`` against the simulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from lifecycle_helpers import CHANGE_DAG, base_order, email
from sqlalchemy import update

from webex_wholesale.models.states import OrderKind
from webex_wholesale.queue.loader import load_json
from webex_wholesale.state import orders
from webex_wholesale.state.schema import order_table
from webex_wholesale.state.store import open_state

pytestmark = pytest.mark.airflow_run
#: ``dag.test`` names its run after these dates (Airflow's own run id for them), so the queue can claim it for it.
RUN_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def claim_for_test_run(order_id: int) -> str:
    """Claim the order as the queue would, for the run ``dag.test(run_after=RUN_AT, logical_date=RUN_AT)`` starts
    (the queue names its runs ``order-N-...``; ``dag.test`` cannot be given a run id)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.types import DagRunType

    run_id = DagRun.generate_run_id(run_type=DagRunType.MANUAL, logical_date=RUN_AT, run_after=RUN_AT)
    engine = open_state()
    (claim,) = orders.claim(engine, 1)
    assert claim.order_id == order_id
    with engine.begin() as conn:
        conn.execute(update(order_table).where(order_table.c.id == order_id).values(dag_run_id=run_id))
    return run_id


def test_a_queued_change_with_remove_unlisted_plans_the_removal(onboard, run_dag):
    customer = "fjord-bikes-queued-prune"
    order = base_order(customer)
    onboard(order)
    desired = {**order, "subscribers": order["subscribers"][:2], "removeUnlisted": True}
    (queued,) = load_json(json.dumps(desired), "test", kind=OrderKind.CHANGE)
    (order_id,) = orders.enqueue(open_state(), [queued])
    run_id = claim_for_test_run(order_id)

    # The approval is marked done by dag.test, standing in for the person who approves in the Airflow UI.
    run = run_dag(
        CHANGE_DAG,
        {"orderId": order_id},
        "change_report",
        run_after=RUN_AT,
        logical_date=RUN_AT,
        mark_success_pattern="approve_plan",
    )

    assert run.run_id == run_id
    removals = [s["email"] for s in run.report["plan"]["subscribersToRemove"]]
    assert removals == [email("seasonal", customer)]
    assert email("seasonal", customer) not in run.subscribers()
    assert email("mechanic", customer) in run.subscribers()
