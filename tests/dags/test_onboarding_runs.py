"""Whole onboarding runs with ``dag.test()`` against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import copy

import pytest
from dag_helpers import DEMO_ORDER, order_with

pytestmark = pytest.mark.airflow_run

SUBSCRIBER_POST = "/v1/wholesale/subscribers"
CUSTOMER_POST = "/v1/wholesale/customers"


def posts(run, path):
    return [r for r in run.api_calls("POST") if r["path"] == path]


def test_happy_path_onboards_customer_admin_first_and_requests_setup_assist(run_order):
    run = run_order()

    assert run.state == "success", run.task_states
    report = run.report
    assert report["outcome"] == "succeeded"
    (customer,) = run.sim_state["customers"]
    assert customer["status"] == "provisioned"
    assert report["customerId"] == customer["id"]
    assert report["orgId"] == customer["orgId"]
    emails = [s["email"] for s in DEMO_ORDER["subscribers"]]
    assert {s["email"] for s in run.sim_state["subscribers"]} == set(emails)
    assert report["counts"] == {"provisioned": len(emails)}
    # The admin is the first subscriber, alone, before anyone else.
    assert run.sim_state["admins"] == {customer["id"]: emails[0]}
    assert report["adminEmail"] == emails[0]
    # Setup Assist went to the intake with the provisioned org and the user counts.
    (intake,) = run.sim_state["setupAssistRequests"]
    assert report["setupAssistReference"] == intake["id"]
    assert intake["body"]["orgId"] == customer["orgId"]
    assert run.task_states["request_setup_assistance"] == "success"


def test_the_report_lists_its_steps_in_the_order_they_ran(run_order):
    run = run_order()

    assert [step["taskId"] for step in run.report["steps"]] == [
        "validate_order",
        "check_template",
        "stop_if_dry_run",
        "provision_customer",
        "provision_admin",
        "provision_subscribers[0]",
        "setup_assistance_requested",
        "request_setup_assistance",
    ]


def test_second_run_of_the_same_order_creates_nothing(run_order):
    first = run_order()

    second = run_order()

    assert second.state == "success", second.task_states
    new_calls = second.sim_state["requests"][len(first.sim_state["requests"]) :]
    assert [r for r in new_calls if r["method"] == "POST" and r["path"] in (CUSTOMER_POST, SUBSCRIBER_POST)] == []
    assert second.report["customerAdopted"] is True
    assert second.report["counts"] == {"already_present": len(DEMO_ORDER["subscribers"])}
    assert len(second.sim_state["customers"]) == 1
    # Setup Assist was re-delivered with the same requestKey: the intake kept one request, same reference.
    assert len(second.sim_state["setupAssistRequests"]) == 1
    assert second.report["setupAssistReference"] == first.report["setupAssistReference"]


def test_subscriber_refused_by_webex_is_reported_and_fails_the_run(run_order):
    taken = DEMO_ORDER["subscribers"][2]["email"]
    run_order()  # the demo customer now owns these emails
    other = order_with(
        externalId="other-customer-0002",
        subscribers=[
            {**DEMO_ORDER["subscribers"][0], "email": "boss@other.example.com"},
            {**DEMO_ORDER["subscribers"][1], "email": "desk@other.example.com"},
            DEMO_ORDER["subscribers"][2],  # already a Webex user in the first customer: 409, errorCode 10022
            {**DEMO_ORDER["subscribers"][3], "email": "nurse@other.example.com"},
        ],
    )

    run = run_order(other)

    assert run.state == "failed"
    report = run.report
    assert report["outcome"] == "failed"
    (refused,) = [s for s in report["subscribers"] if s["result"] == "failed"]
    assert refused["email"] == taken
    assert refused["name"] == "Morgan Lee"  # as the order names dr.lee
    assert refused["errorCodes"] == [10022]
    assert refused["trackingId"]
    provisioned = {s["email"] for s in report["subscribers"] if s["result"] == "provisioned"}
    assert provisioned == {"boss@other.example.com", "desk@other.example.com", "nurse@other.example.com"}
    assert run.task_states["request_setup_assistance"] == "upstream_failed"
    assert run.task_states["onboarding_report"] == "success"
    # A refusal is permanent: the batch failed on its first try, without retries that cannot help.
    assert run.task_states["provision_subscribers[0]"] == "failed"
    assert run.tries["provision_subscribers[0]"] == 1


def test_customer_ending_in_error_fails_before_any_subscriber(run_order):
    run = run_order(order_with(externalId="acme-provision-error-1"))

    assert run.state == "failed"
    assert run.task_states["provision_customer"] == "failed"
    assert run.tries["provision_customer"] == 1  # a customer in error is not retried
    assert posts(run, SUBSCRIBER_POST) == []
    (step,) = [s for s in run.report["steps"] if s["taskId"] == "provision_customer"]
    assert "2560" in step["message"]
    assert run.report["customerStatus"] == "error"
    # What the step created, pushed before its wait failed (XCom customer_ref), still reaches the report.
    assert run.report["customerId"] == run.sim_state["customers"][0]["id"]
    assert run.report["customerAdopted"] is False


def test_compliance_hold_stops_with_a_clear_reason(run_order):
    run = run_order(order_with(externalId="acme-rpl-review-1"))

    assert run.state == "failed"
    assert posts(run, SUBSCRIBER_POST) == []
    (step,) = [s for s in run.report["steps"] if s["taskId"] == "provision_customer"]
    assert "pending_rpl_review" in step["message"]
    assert run.sim_state["customers"][0]["status"] == "pending_rpl_review"


def test_dry_run_checks_and_creates_nothing(run_order):
    run = run_order(order_with(dryRun=True))

    assert run.state == "success", run.task_states
    assert [r["path"] for r in run.api_calls("POST")] == ["/v1/wholesale/customers/validate"]
    assert run.sim_state["customers"] == []
    assert (run.report["outcome"], run.report["dryRun"]) == ("succeeded", True)
    assert run.task_states["provision_customer"] == "skipped"


def test_order_breaking_a_model_rule_is_rejected_before_any_api_call(run_order):
    order = copy.deepcopy(DEMO_ORDER)
    del order["subscribers"][1]["provisioningParameters"]["extension"]
    del order["subscribers"][1]["provisioningParameters"]["primaryPhoneNumber"]

    run = run_order(order)

    assert run.state == "failed"
    assert run.task_states["validate_order"] == "failed"
    assert run.api_calls() == []
    (step,) = [s for s in run.report["steps"] if s["taskId"] == "validate_order"]
    assert "subscribers[1]" in step["message"]


def test_conf_breaking_the_form_schema_is_refused_at_trigger(onboarding_dag, wired_simulator):
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError, match="packages"):
        onboarding_dag.test(run_conf=order_with(packages=["not_a_package"]))
    assert wired_simulator.state()["requests"] == []


def test_single_subscriber_order_without_setup_assist_skips_both_and_succeeds(run_order):
    run = run_order(order_with(subscribers=DEMO_ORDER["subscribers"][:1], setupAssistance=None))

    assert run.state == "success", run.task_states
    assert run.task_states["provision_subscribers"] == "skipped"  # nothing to fan out
    assert run.task_states["request_setup_assistance"] == "skipped"
    assert run.sim_state["setupAssistRequests"] == []
    assert run.report["counts"] == {"provisioned": 1}
    assert run.report["setupAssistReference"] is None


def test_order_for_a_sub_partner_acts_on_its_behalf_in_every_call(run_order):
    sub_partner = "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9zaW0tc3ViLXBhcnRuZXItYWN0aXZl"  # simulator's active one

    run = run_order(order_with(externalId="acme-via-sub-partner", onBehalfOfSubPartnerOrgId=sub_partner))

    assert run.state == "success", run.task_states
    calls = run.api_calls()
    assert calls
    assert all(f"onBehalfOfSubPartnerOrgId={sub_partner}" in r["query"] for r in calls), calls
