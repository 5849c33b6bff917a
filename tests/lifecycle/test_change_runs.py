"""Whole runs of ``webex_wholesale_change`` with ``dag.test()`` against the simulator (plans that need no approval;
approval runs under the real scheduler are in ``test_approval_rest.py``)."""

from __future__ import annotations

import pytest
from lifecycle_helpers import CHANGE_DAG, base_order, email, person, with_suite

pytestmark = pytest.mark.airflow_run
REPORT = "change_report"


def test_a_change_that_only_adds_applies_without_waiting(onboard, run_dag):
    customer = "fjord-bikes-add"
    order = base_order(customer)
    onboard(order)
    desired = with_suite(order)
    desired["subscribers"][1] = person("mechanic", customer, "webex_suite", extension="4101")
    desired["subscribers"].append(person("courier", customer))

    run = run_dag(CHANGE_DAG, desired, REPORT)

    assert run.state == "success", run.task_states
    assert run.report["outcome"] == "succeeded"
    assert run.report["approval"]["decision"] == "not_needed"
    assert run.task_states["add_customer_packages"] == "success"
    assert run.task_states["remove_customer_packages"] == "skipped"  # the plan removes no package
    assert run.customers()["fjord-bikes-add"]["packages"] == ["webex_meetings", "webex_suite"]
    held = run.subscribers()
    assert held[email("mechanic", customer)] == "webex_suite"
    assert held[email("courier", customer)] == "webex_meetings"
    assert held[email("seasonal", customer)] == "webex_meetings"  # listed and unchanged
    counts = {c["action"]: c["done"] for c in run.report["changes"] if c["subject"] != "fjord-bikes-add"}
    assert counts == {"move_subscriber": True, "create_subscriber": True}
    move = next(c for c in run.report["changes"] if c["action"] == "move_subscriber")
    assert (move["before"], move["after"]) == ("webex_meetings", "webex_suite")
    audited = {(a["action"], a["subscriber_email"], str(a["before_json"]), str(a["after_json"])) for a in audit(run)}
    assert ("move_subscriber", email("mechanic", customer), "webex_meetings", "webex_suite") in audited
    assert ("add_customer_packages", None, "['webex_meetings']", "['webex_meetings', 'webex_suite']") in audited


def test_a_change_for_a_sub_partners_customer_acts_for_it_in_every_call(onboard, run_dag):
    sub_partner = "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9zaW0tc3ViLXBhcnRuZXItYWN0aXZl"  # simulator's active one
    customer = "fjord-bikes-sub"
    order = {**base_order(customer), "onBehalfOfSubPartnerOrgId": sub_partner}
    onboard(order)  # acting for the sub-partner too
    desired = with_suite(order)
    desired["subscribers"][1] = person("mechanic", customer, "webex_suite", extension="4103")

    run = run_dag(CHANGE_DAG, desired, REPORT)

    assert run.state == "success", run.task_states
    assert run.customers()[customer]["packages"] == ["webex_meetings", "webex_suite"]
    assert run.subscribers()[email("mechanic", customer)] == "webex_suite"
    calls = [r for r in run.sim_state["requests"] if r["path"].startswith("/v1/wholesale/")]
    assert {r["method"] for r in calls} >= {"GET", "PUT"}
    assert all(f"onBehalfOfSubPartnerOrgId={sub_partner}" in r["query"] for r in calls), calls


def test_the_same_change_twice_changes_nothing_the_second_time(onboard, run_dag):
    customer = "fjord-bikes-twice"
    order = base_order(customer)
    onboard(order)
    desired = with_suite(order)
    desired["subscribers"][2] = person("seasonal", customer, "webex_suite", primaryPhoneNumber="+4755501234")
    first = run_dag(CHANGE_DAG, desired, REPORT)
    writes_before = len(first.writes())

    second = run_dag(CHANGE_DAG, desired, REPORT)

    assert first.state == second.state == "success"
    assert second.writes()[writes_before:] == []
    assert second.report["plan"]["subscribersToMove"] == []
    assert second.report["plan"]["packagesToAdd"] == []
    assert second.report["plan"]["unchanged"] == 3
    assert second.task_states["apply_subscriber_changes[0]"] == "success"  # one empty batch
    # Nothing to add to a settled customer, nothing to remove: the approval skipped both customer steps.
    assert second.task_states["add_customer_packages"] == second.task_states["remove_customer_packages"] == "skipped"


def test_an_unknown_customer_is_refused_onboard_it_first(run_dag):
    run = run_dag(CHANGE_DAG, base_order("fjord-bikes-never-onboarded"), REPORT)

    assert run.state == "failed"
    assert run.task_states["plan_change"] == "failed"
    assert run.report["outcome"] == "failed"
    assert "onboard it first" in run.report["problem"]
    assert run.writes() == []


def test_a_dry_run_plans_and_changes_nothing(onboard, run_dag):
    order = base_order("fjord-bikes-dry")
    onboard(order)
    desired = {**with_suite(order), "dryRun": True, "removeUnlisted": True}
    desired["subscribers"] = desired["subscribers"][:1]
    run = run_dag(CHANGE_DAG, desired, REPORT)

    assert run.state == "success"
    assert run.report["dryRun"] is True
    assert len(run.report["plan"]["subscribersToRemove"]) == 2
    assert {t: s for t, s in run.task_states.items() if t not in ("plan_change", REPORT)} == {
        "approve_plan": "skipped",
        "add_customer_packages": "skipped",
        "apply_subscriber_changes": "skipped",
        "remove_customer_packages": "skipped",
        "change_applied": "skipped",
    }
    assert len(run.subscribers()) == 3
    assert run.customers()["fjord-bikes-dry"]["packages"] == ["webex_meetings"]


def test_a_refused_plan_applies_nothing_and_says_why(onboard, run_dag):
    customer = "fjord-bikes-refused"
    order = base_order(customer)
    onboard(order)
    desired = with_suite(order)
    desired["subscribers"][1] = person("mechanic", customer, "webex_suite")  # onto calling, no number

    run = run_dag(CHANGE_DAG, desired, REPORT)

    assert run.state == "failed"
    assert run.report["outcome"] == "failed"
    assert run.report["plan"]["refusals"][0]["subject"] == email("mechanic", customer)
    assert run.customers()["fjord-bikes-refused"]["packages"] == ["webex_meetings"]
    assert run.subscribers()[email("mechanic", customer)] == "webex_meetings"


def test_a_partial_failure_then_a_rerun_applies_only_what_is_left(onboard, run_dag):
    customer = "fjord-bikes-partial"
    order = base_order(customer)
    onboard(order)
    # A user whose email another customer already has: Webex refuses the creation (409), the move goes through.
    other = base_order("fjord-bikes-elsewhere")
    other["subscribers"] = [person("owner", "fjord-bikes-elsewhere"), person("courier", customer)]
    onboard(other)
    desired = with_suite(order)
    desired["subscribers"][1] = person("mechanic", customer, "webex_suite", extension="4103")
    desired["subscribers"].append(person("courier", customer))

    first = run_dag(CHANGE_DAG, desired, REPORT)
    remove_subscriber(first, email("courier", customer))  # the ops team frees the email
    second = run_dag(CHANGE_DAG, desired, REPORT)

    assert first.state == "failed"
    assert first.report["outcome"] == "failed"
    assert [(c["action"], c["done"]) for c in first.report["changes"] if c["subject"] != customer] == [
        ("move_subscriber", True),
        ("create_subscriber", False),
    ]
    assert second.state == "success"
    assert second.report["plan"]["packagesToAdd"] == []
    assert second.report["plan"]["subscribersToMove"] == []
    assert [s["email"] for s in second.report["plan"]["subscribersToCreate"]] == [email("courier", customer)]
    assert second.subscribers()[email("mechanic", customer)] == "webex_suite"
    held = {s["email"]: s["externalCustomerId"] for s in second.sim_state["subscribers"]}
    assert held[email("courier", customer)] == customer


def remove_subscriber(run, address: str) -> None:
    """Delete one user straight through the hook (as someone would in Partner Hub)."""
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

    [subscriber] = [s for s in run.sim_state["subscribers"] if s["email"] == address]
    hook = WebexWholesaleHook()
    try:
        hook.delete_subscriber(subscriber["id"])
    finally:
        hook.close()


def audit(run) -> list[dict]:
    """The run's audit rows that record a change (``kind`` ``change``), from the state database the run used."""
    from sqlalchemy import select

    from webex_wholesale.state.schema import audit_table
    from webex_wholesale.state.store import open_state

    query = select(audit_table).where(audit_table.c.dag_run_id == run.run_id, audit_table.c.kind == "change")
    with open_state().connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
