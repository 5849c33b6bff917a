"""The onboarding run's records, and how the queue settles orders whose run ended or vanished."""

from __future__ import annotations

import pytest
from state_helpers import queued

from webex_wholesale.state import orders, runs
from webex_wholesale.state.schema import run_table

DAG_ID = "webex_wholesale_onboarding"


def claimed_order(engine, name: str) -> orders.Claim:
    orders.enqueue(engine, [queued(name)])
    return next(c for c in orders.claim(engine, 100) if orders.find_order(engine, c.order_id)["external_id"] == name)


def test_the_claimed_run_loads_the_order_as_enqueued(engine):
    claim = claimed_order(engine, "load-me")
    order = runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    assert order == queued("load-me").order.to_conf()
    # A retried first task of the same run finds its order running already, and may go on.
    assert runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id) == order
    (run,) = orders.order_runs(engine, claim.order_id)
    assert (run["dag_run_id"], run["state"], run["customer_external_id"]) == (claim.dag_run_id, "running", "load-me")


@pytest.mark.parametrize("wrong_run", ["manual__2026-01-01", "order-999"])
def test_another_run_cannot_take_a_claimed_order(engine, wrong_run):
    claim = claimed_order(engine, "not-yours")
    refusal = f"assigned to run {claim.dag_run_id}, not to this run \\({wrong_run}\\)"
    with pytest.raises(runs.OrderNotRunnable, match=refusal):
        runs.begin_order_run(engine, claim.order_id, DAG_ID, wrong_run)
    assert orders.find_order(engine, claim.order_id)["state"] == "claimed"


def test_a_queued_order_cannot_be_run_by_hand(engine):
    (order_id,) = orders.enqueue(engine, [queued("still-queued")])
    with pytest.raises(runs.OrderNotRunnable, match="is queued"):
        runs.begin_order_run(engine, order_id, DAG_ID, f"order-{order_id}")


@pytest.mark.parametrize("outcome", ["succeeded", "failed", "needs_attention"])
def test_the_outcome_lands_on_run_and_order(engine, outcome):
    claim = claimed_order(engine, f"ends-{outcome}")
    runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    error = None if outcome == "succeeded" else "customer held in pending_rpl_review"
    report = {"customer": {"id": "cust-1"}, "failures": []}
    runs.finish_run(engine, claim.dag_run_id, outcome, report=report, customer_id="cust-1", error=error)
    runs.finish_run(engine, claim.dag_run_id, outcome, report=report, customer_id="cust-1", error=error)  # retried
    order = orders.find_order(engine, claim.order_id)
    assert (order["state"], order["customer_id"], order["last_error"]) == (outcome, "cust-1", error)
    (run,) = orders.order_runs(engine, claim.order_id)
    assert (run["state"], run["report_json"], run["customer_id"]) == (outcome, report, "cust-1")
    assert run["ended_at"] >= run["started_at"]
    assert [h["to_state"] for h in orders.order_transitions(engine, claim.order_id)].count(outcome) == 1


@pytest.mark.parametrize("outcome", ["failed", "needs_attention"])
def test_clearing_an_orders_ended_run_retries_the_order_and_keeps_the_runs_report(engine, outcome):
    """Airflow's "Clear run" starts the run again under its id: the order goes back to the queue (a retry, saying
    why), the run takes nothing, and its report (the one of the run that did run) stays as it was."""
    claim = claimed_order(engine, f"cleared-{outcome}")
    runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    report = {"outcome": outcome, "customerName": "Cleared Clinic", "subscribersOrdered": 3}
    runs.finish_run(engine, claim.dag_run_id, outcome, report=report, error="1 subscriber refused")

    with pytest.raises(runs.OrderNotRunnable, match=f"had {outcome} in this run; clearing the run in Airflow retries"):
        runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    runs.finish_run(engine, claim.dag_run_id, "failed", report={"outcome": "failed"}, took_order=False)

    order = orders.find_order(engine, claim.order_id)
    assert order["state"] == "queued"
    assert orders.order_transitions(engine, claim.order_id)[-1]["reason"] == (
        f"retry requested by clearing its run {claim.dag_run_id}"
    )
    (run,) = orders.order_runs(engine, claim.order_id)
    assert (run["state"], run["report_json"]) == (outcome, report)
    (retried,) = orders.claim(engine, 1)
    assert retried.dag_run_id == f"{claim.dag_run_id}-2"


def test_a_run_of_an_order_that_ended_well_is_refused_without_a_retry(engine):
    claim = claimed_order(engine, "ended-well")
    runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    runs.finish_run(engine, claim.dag_run_id, "succeeded", report={"outcome": "succeeded"})

    with pytest.raises(runs.OrderNotRunnable, match=f"is succeeded: its run {claim.dag_run_id} has ended"):
        runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    assert orders.find_order(engine, claim.order_id)["state"] == "succeeded"


def test_a_cleared_ad_hoc_run_onboards_again_and_records_its_new_end(engine):
    run_id = "manual__2026-12-01T11:00:00"
    runs.record_run_start(engine, DAG_ID, run_id, "walk-in-8", "Walk-in Eight")
    runs.finish_run(engine, run_id, "failed", report={"outcome": "failed"})

    runs.record_run_start(engine, DAG_ID, run_id, "walk-in-8", "Walk-in Eight")
    with engine.connect() as conn:
        assert conn.execute(run_table.select()).mappings().one()["ended_at"] is None
    runs.finish_run(engine, run_id, "succeeded", report={"outcome": "succeeded"})

    with engine.connect() as conn:
        run = conn.execute(run_table.select()).mappings().one()
    assert (run["state"], run["report_json"]) == ("succeeded", {"outcome": "succeeded"})


def test_an_ad_hoc_run_is_recorded_by_customer(engine):
    runs.record_run_start(engine, DAG_ID, "manual__2026-12-01T10:00:00", "walk-in-7", "Walk-in Customer")
    runs.finish_run(engine, "manual__2026-12-01T10:00:00", "succeeded", report={"ok": True}, customer_id="c-7")
    assert orders.list_orders(engine) == []
    with engine.connect() as conn:
        (run,) = conn.execute(run_table.select()).mappings().all()
    assert (run["order_id"], run["customer_external_id"], run["state"]) == (None, "walk-in-7", "succeeded")


def test_reconcile_restarts_a_claim_whose_run_never_started(engine):
    claim = claimed_order(engine, "never-started")
    result = runs.reconcile(engine, lambda dag_id, run_id: None)
    assert result.to_trigger == [claim]
    assert result.settled == {}
    assert orders.find_order(engine, claim.order_id)["state"] == "claimed"


def test_reconcile_leaves_runs_in_progress_alone(engine):
    queued_run = claimed_order(engine, "run-queued")
    running = claimed_order(engine, "run-running")
    runs.begin_order_run(engine, running.order_id, DAG_ID, running.dag_run_id)
    states = {queued_run.dag_run_id: "queued", running.dag_run_id: "running"}
    result = runs.reconcile(engine, lambda dag_id, run_id: states.get(run_id))
    assert (result.to_trigger, result.settled) == ([], {})


@pytest.mark.parametrize(("airflow_state", "why"), [(None, "vanished"), ("failed", "ended failed")])
def test_reconcile_fails_a_running_order_whose_run_ended_without_an_outcome(engine, airflow_state, why):
    claim = claimed_order(engine, "killed")
    runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    result = runs.reconcile(engine, lambda dag_id, run_id: airflow_state)
    assert result.settled == {claim.order_id: "failed"}
    order = orders.find_order(engine, claim.order_id)
    assert order["state"] == "failed"
    assert order["last_error"] == f"its DAG run {claim.dag_run_id} {why} without recording an outcome"
    assert orders.order_runs(engine, claim.order_id)[0]["state"] == "failed"


def test_reconcile_fails_a_claim_whose_run_ended_before_taking_it(engine):
    claim = claimed_order(engine, "ended-early")
    result = runs.reconcile(engine, lambda dag_id, run_id: "success")
    assert result.settled == {claim.order_id: "failed"}
    assert orders.find_order(engine, claim.order_id)["state"] == "failed"


def test_reconcile_never_asks_airflow_about_settled_orders(engine):
    claim = claimed_order(engine, "done")
    runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    runs.finish_run(engine, claim.dag_run_id, "succeeded")
    asked: list[str] = []
    result = runs.reconcile(engine, lambda dag_id, run_id: asked.append(run_id))
    assert (asked, result.to_trigger, result.settled) == ([], [], {})
