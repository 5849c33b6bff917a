"""The webex_wholesale_health DAG under dag.test(): it checks the customers the state database knows, keeps the
findings, and tells the configured channels once."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.airflow_run


@pytest.fixture
def health_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag
    from dag_helpers import ROOT

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag("webex_wholesale_health")


def test_the_dag_is_scheduled_hourly_without_catchup_one_run_at_a_time(health_dag):
    assert health_dag.schedule == "@hourly"
    assert (health_dag.catchup, health_dag.max_active_runs) == (False, 1)
    assert [t.task_id for t in health_dag.topological_sort()] == ["check_health", "notify_findings"]


def test_a_run_finds_a_customer_held_for_review_and_tells_it_once(health_dag, run_order, wired_simulator, inbox):
    from webex_wholesale.state.findings import open_findings
    from webex_wholesale.state.store import open_state

    held = run_order({**_demo(), "externalId": "held-rpl-review-9"})
    assert held.report["customerStatus"] == "pending_rpl_review"
    inbox.messages.clear()  # the onboarding's own message

    first = health_dag.test()
    second = health_dag.test()

    assert (first.state, second.state) == ("success", "success")
    rows = [r for r in open_findings(open_state()) if r["external_id"] == "held-rpl-review-9"]
    assert [r["kind"] for r in rows] == ["pending_rpl_review"]
    # The session's state database also holds other tests' runs: only this customer's messages are counted.
    subjects = [m["Subject"] for m in inbox.messages if "held-rpl-review-9" in m["Subject"]]
    assert subjects == ["Webex Wholesale: Acme Dental Group (held-rpl-review-9): health finding"]


def _demo() -> dict:
    from dag_helpers import DEMO_ORDER

    return dict(DEMO_ORDER)
