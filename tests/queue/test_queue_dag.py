"""The queue DAG under ``dag.test()``: it claims queued orders and starts one onboarding run per order, once.

``dag.test()`` creates the onboarding runs (queued) but has no scheduler to execute them; running them for real is
the end-to-end test's job. Here the queue's own guarantees are checked against Airflow's metadata database.
"""

from __future__ import annotations

import pytest
from state_helpers import ROOT, queued

from webex_wholesale.state import orders

pytestmark = pytest.mark.airflow_run

QUEUE_DAG_ID = "webex_wholesale_queue"
ONBOARDING_DAG_ID = "webex_wholesale_onboarding"


@pytest.fixture
def queue_dag(airflow_db):
    """The queue DAG, with no onboarding run left from another test (each test's state database restarts at id 1)."""
    from airflow.dag_processing.dagbag import DagBag

    delete_onboarding_runs()
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag(QUEUE_DAG_ID)


def onboarding_runs() -> dict[str, dict]:
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        runs = session.query(DagRun).filter(DagRun.dag_id == ONBOARDING_DAG_ID).all()
        return {run.run_id: run.conf for run in runs}


def delete_onboarding_runs(run_id: str | None = None) -> None:
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        query = session.query(DagRun).filter(DagRun.dag_id == ONBOARDING_DAG_ID)
        if run_id is not None:
            query = query.filter(DagRun.run_id == run_id)
        query.delete()


def task_states(run) -> dict[str, list[str]]:
    states: dict[str, list[str]] = {}
    for ti in run.get_task_instances():
        states.setdefault(ti.task_id, []).append(ti.state)
    return states


def test_the_dag_is_scheduled_every_ten_minutes_one_run_at_a_time(queue_dag):
    assert queue_dag.schedule == "*/10 * * * *"
    assert queue_dag.catchup is False
    assert queue_dag.max_active_runs == 1
    start = queue_dag.get_task("start_onboarding")
    assert start.partial_kwargs["skip_when_already_exists"] is True
    assert start.partial_kwargs["logical_date"] is None


def test_a_round_starts_one_run_per_claimed_order_and_a_repeat_starts_none(queue_dag, state_db):
    ids = orders.enqueue(state_db, [queued("queue-a"), queued("queue-b")])

    first = queue_dag.test()

    assert first.state == "success", task_states(first)
    assert task_states(first)["start_onboarding"] == ["success", "success"]
    started = onboarding_runs()
    assert started == {f"order-{i}": {"orderId": i} for i in ids}
    assert {orders.find_order(state_db, i)["state"] for i in ids} == {"claimed"}

    second = queue_dag.test()  # the runs exist and are queued: nothing to claim, nothing to restart

    assert second.state == "success", task_states(second)
    assert task_states(second)["start_onboarding"] == ["skipped"]
    assert onboarding_runs() == started


def test_a_claimed_order_whose_run_vanished_is_started_again_under_the_same_run_id(queue_dag, state_db):
    (order_id,) = orders.enqueue(state_db, [queued("queue-lost")])
    queue_dag.test()
    assert f"order-{order_id}" in onboarding_runs()
    delete_onboarding_runs(f"order-{order_id}")

    rerun = queue_dag.test()

    assert rerun.state == "success", task_states(rerun)
    assert onboarding_runs()[f"order-{order_id}"] == {"orderId": order_id}
    order = orders.find_order(state_db, order_id)
    assert (order["state"], order["attempts"], order["dag_run_id"]) == ("claimed", 1, f"order-{order_id}")
