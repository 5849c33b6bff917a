"""What the onboarding run asks of the state database: its order, its audit writer, the record of its end."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from state_helpers import order_data, queued

from webex_wholesale.models import SubscriberOutcome
from webex_wholesale.models.report import OnboardingReport
from webex_wholesale.onboarding.run_state import CustomerBusyError, OrderRefused, order_for_run, record_outcome
from webex_wholesale.state import locks, orders
from webex_wholesale.state.audit import RunContext, open_run_audit
from webex_wholesale.state.schema import audit_table, run_table

DAG_ID = "webex_wholesale_onboarding"


@pytest.fixture
def state(engine, state_url, monkeypatch):
    """The test's database as the ``wholesale_db`` connection, as tasks find it."""
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", state_url)
    return engine


def task_context(run_id: str, task_id: str = "validate_order", map_index: int = -1) -> dict:
    return {"ti": SimpleNamespace(dag_id=DAG_ID, run_id=run_id, task_id=task_id, map_index=map_index, try_number=1)}


def report(run_id: str, **fields) -> OnboardingReport:
    return OnboardingReport.model_validate({"runId": run_id, "dryRun": False, **fields})


def test_a_queued_order_is_loaded_by_its_run_and_its_outcome_recorded(state):
    (order_id,) = orders.enqueue(state, [queued("bridge-q")])
    (claim,) = orders.claim(state, 1)
    context = task_context(claim.dag_run_id)

    order = order_for_run({"orderId": order_id}, context)

    assert order["externalId"] == "bridge-q"
    assert orders.find_order(state, order_id)["state"] == "running"
    writer = open_run_audit(
        state, RunContext.from_airflow(task_context(claim.dag_run_id, "provision_subscribers", map_index=0))
    )
    assert (writer.context.order_id, writer.context.customer_external_id, writer.context.map_index) == (
        order_id,
        "bridge-q",
        0,
    )
    with writer:
        writer.record_subscribers(
            SubscriberOutcome.model_validate(outcome)
            for outcome in (
                {"email": "a@bridge.example.com", "result": "provisioned", "httpStatus": 201, "trackingId": "T1"},
                {"email": "b@bridge.example.com", "result": "failed", "errorCodes": [400101], "message": "bad"},
            )
        )
    consent = report(
        claim.dag_run_id,
        customerId="cust-9",
        subscribers=[{"email": "c@bridge.example.com", "result": "pending_user_migration"}],
    )
    assert record_outcome(context, consent, took_order=True) == "needs_attention"
    stored = orders.find_order(state, order_id)
    assert (stored["state"], stored["customer_id"]) == ("needs_attention", "cust-9")
    assert stored["last_error"] == "1 user(s) must consent to join the customer's organisation"
    with state.connect() as conn:
        results = conn.execute(audit_table.select().order_by(audit_table.c.id)).mappings().all()
        run = conn.execute(run_table.select()).mappings().one()
    assert [(r["subscriber_email"], r["result"], r["reason"], r["order_id"]) for r in results] == [
        ("a@bridge.example.com", "provisioned", None, order_id),
        ("b@bridge.example.com", "failed", "bad", order_id),
    ]
    assert (run["state"], run["report_json"]) == ("needs_attention", consent.model_dump(mode="json", by_alias=True))
    assert run["report_json"]["outcome"] == "needs_attention"


def test_an_order_id_conf_takes_nothing_else_and_must_be_an_integer(state):
    with pytest.raises(OrderRefused, match=r"takes no other key; remove \['dryRun'\]"):
        order_for_run({"orderId": 1, "dryRun": True}, task_context("r"))
    with pytest.raises(OrderRefused, match="orderId must be an integer"):
        order_for_run({"orderId": "1"}, task_context("r"))
    with pytest.raises(OrderRefused, match="no order with id 99"):
        order_for_run({"orderId": 99}, task_context("r"))


def test_a_hand_made_run_cannot_take_a_queued_order(state):
    (order_id,) = orders.enqueue(state, [queued("bridge-hand")])
    with pytest.raises(OrderRefused, match="is queued"):
        order_for_run({"orderId": order_id}, task_context("manual__2026-12-01"))
    assert orders.find_order(state, order_id)["state"] == "queued"


def test_an_inline_order_is_recorded_as_an_ad_hoc_run(state):
    conf = order_data("bridge-adhoc")
    assert order_for_run(conf, task_context("manual__1")) == conf
    failed_step = {"taskId": "provision_customer", "state": "failed", "message": "refused"}
    record_outcome(task_context("manual__1"), report("manual__1", steps=[failed_step]), took_order=True)
    with state.connect() as conn:
        run = conn.execute(run_table.select()).mappings().one()
    assert (run["order_id"], run["customer_external_id"], run["customer_name"], run["state"]) == (
        None,
        "bridge-adhoc",
        "Acme Dental Group",
        "failed",
    )


def test_an_onboarding_of_a_customer_another_run_works_on_is_refused_naming_it(state):
    def still_running(dag_id: str, run_id: str) -> bool:
        return False

    locks.acquire(state, "bridge-busy", "webex_wholesale_change", "change-run-1", still_running)
    context = task_context("manual__bridge-busy")
    context["ti"].get_dr_count = lambda dag_id, run_ids: 1
    context["ti"].get_dagrun_state = lambda dag_id, run_id: "running"

    with pytest.raises(CustomerBusyError, match="run change-run-1 of DAG webex_wholesale_change"):
        order_for_run(order_data("bridge-busy"), context)
    record_outcome(context, report("manual__bridge-busy"), took_order=False)  # releases nothing of the other run

    assert locks.holder(state, "bridge-busy")["dag_run_id"] == "change-run-1"


def test_an_onboarding_holds_its_customer_until_its_report_records_the_outcome(state):
    context = task_context("manual__bridge-held")
    order_for_run(order_data("bridge-held"), context)
    held = locks.holder(state, "bridge-held")

    record_outcome(context, report("manual__bridge-held"), took_order=True)

    assert (held["dag_id"], held["dag_run_id"]) == (DAG_ID, "manual__bridge-held")
    assert locks.holder(state, "bridge-held") is None
