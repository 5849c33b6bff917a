"""What an onboarding run leaves in the state database, under ``dag.test()`` against the simulator.

An ad-hoc run (inline order) gets its ``wholesale_run`` row with outcome and report, an audit row per changing API
call and per subscriber, and no token anywhere; a hand-made run naming a queued order is refused before any call.
"""

from __future__ import annotations

import pytest
from helpers import SIM_TOKEN, wire_connections
from sqlalchemy import select
from state_helpers import order_data, queued

from webex_wholesale.state import orders
from webex_wholesale.state.schema import audit_table, metadata, run_table

pytestmark = pytest.mark.airflow_run


@pytest.fixture
def simulator_wired(monkeypatch):
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token=SIM_TOKEN, provision_delay=0.2)) as sim:
        wire_connections(monkeypatch, sim)
        yield sim


def test_an_ad_hoc_run_is_recorded_with_its_report_and_audit(onboarding_dag, simulator_wired, state_db):
    order = order_data("records-adhoc", subscribers=3)

    dag_run = onboarding_dag.test(run_conf=order)

    assert dag_run.state == "success"
    with state_db.connect() as conn:
        (run,) = conn.execute(select(run_table)).mappings().all()
        audit = conn.execute(select(audit_table).order_by(audit_table.c.id)).mappings().all()
        dumps = [repr(conn.execute(select(table)).all()) for table in metadata.tables.values()]
    assert (run["dag_run_id"], run["order_id"], run["customer_external_id"], run["state"]) == (
        dag_run.run_id,
        None,
        "records-adhoc",
        "succeeded",
    )
    assert run["report_json"]["outcome"] == "succeeded"
    assert run["customer_id"] == run["report_json"]["customerId"]
    calls = [(a["task_id"], a["method"], a["path"].split("?")[0]) for a in audit if a["kind"] == "api_call"]
    assert ("provision_customer", "POST", "/v1/wholesale/customers") in calls or (
        "provision_customer",
        "POST",
        "/wholesale/customers",
    ) in calls, calls
    posted = sorted(a["subscriber_email"] for a in audit if a["kind"] == "api_call" and a["subscriber_email"])
    assert posted == sorted(s["email"] for s in order["subscribers"])
    outcomes = {a["subscriber_email"]: a for a in audit if a["kind"] == "subscriber_outcome"}
    assert set(outcomes) == {s["email"] for s in order["subscribers"]}
    assert all(o["customer_id"] == run["customer_id"] and o["dag_run_id"] == dag_run.run_id for o in outcomes.values())
    assert all(a["tracking_id"] for a in audit if a["kind"] == "api_call")
    assert not any(SIM_TOKEN in dump for dump in dumps)


def test_a_hand_made_run_naming_a_queued_order_is_refused_before_any_call(onboarding_dag, simulator_wired, state_db):
    (order_id,) = orders.enqueue(state_db, [queued("records-queued")])

    dag_run = onboarding_dag.test(run_conf={"orderId": order_id})

    assert dag_run.state == "failed"
    states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    assert states["validate_order"] == "failed"
    assert simulator_wired.state()["requests"] == []  # no call at all: not even a lookup
    assert orders.find_order(state_db, order_id)["state"] == "queued"
