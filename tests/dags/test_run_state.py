"""A failed onboarding is a failed DAG run, wherever it fails, whether the order asks for Setup Assist or not.

Airflow derives a run's state from its leaf tasks and ignores teardowns; a skipped Setup Assist step used to be
the only other leaf, so an order without ``setupAssistance`` ended green whatever failed. These runs use an
order unlike the demo one (another country, template, packages and people), with and without Setup Assist.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
import requests
from dag_helpers import BASE_ORDER, SETUP_ASSISTANCE
from helpers import setup_assist_connection

pytestmark = pytest.mark.airflow_run

LEAF = "onboarding_succeeded"


def harbour_order(*, setup_assistance: bool, **changes: Any) -> dict[str, Any]:
    order = copy.deepcopy(BASE_ORDER)
    if setup_assistance:
        order["setupAssistance"] = dict(SETUP_ASSISTANCE)
    order.update(changes)
    return order


def take_email(sim: Any, email: str) -> None:
    """Make ``email`` a Webex user of another customer, so provisioning it again is refused with 409/10022."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {sim.token}"
    other = {**copy.deepcopy(BASE_ORDER), "externalId": f"elsewhere-{time.time_ns()}"}
    body = {k: v for k, v in other.items() if k != "subscribers"}
    answer = api.post(f"{sim.base_url}/wholesale/customers", json=body, timeout=10)
    answer.raise_for_status()
    customer_url = answer.headers["Location"]
    deadline = time.monotonic() + 10
    while api.get(customer_url, timeout=10).json()["status"] != "provisioned":
        assert time.monotonic() < deadline, "the other customer was not provisioned in time"
        time.sleep(0.05)
    user = {
        "customerId": customer_url.rsplit("/", 1)[-1],
        "email": email,
        "packages": ["webex_meetings"],
        "provisioningParameters": {"firstName": "Taken", "lastName": "Elsewhere"},
    }
    api.post(f"{sim.base_url}/wholesale/subscribers", json=user, timeout=10).raise_for_status()


def refuse_customer_posts(monkeypatch: Any) -> None:
    """Webex refuses the customer POST (400) although the precheck passed, as it may for reasons of its own."""
    from wholesale_sim import customer_rules
    from wholesale_sim.errors import bad_request

    def refuse(body: dict[str, Any], *args: Any) -> None:
        raise bad_request("Customer refused for this test after a passing precheck.")

    monkeypatch.setattr(customer_rules, "check_provision", refuse)


#: failure point -> (how to cause it, the task that fails, changes to the order)
FAILURES: dict[str, tuple[Any, str, dict[str, Any]]] = {
    "precheck": (None, "check_template", {"provisioningId": "no-such-template"}),
    "customer": (lambda sim, mp: refuse_customer_posts(mp), "provision_customer", {}),
    "wait, error 2560": (None, "provision_customer", {"externalId": "harbour-provision-error-7"}),
    "wait, pending_rpl_review": (None, "provision_customer", {"externalId": "harbour-rpl-review-7"}),
    "admin, 409/10022": (lambda sim, mp: take_email(sim, "ops@harbour-optics.example.com"), "provision_admin", {}),
    "batch, 409/10022": (
        lambda sim, mp: take_email(sim, "frames@harbour-optics.example.com"),
        "provision_subscribers[0]",
        {},
    ),
}

#: The report's outcome where it is not ``failed``: a customer held for compliance review waits for a human.
OUTCOMES = {"wait, pending_rpl_review": "needs_attention"}


@pytest.mark.parametrize("setup_assistance", [False, True], ids=["no Setup Assist", "Setup Assist"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_step_fails_the_run(failure, setup_assistance, run_order, wired_simulator, monkeypatch):
    cause, failed_task, changes = FAILURES[failure]
    if cause is not None:
        cause(wired_simulator, monkeypatch)

    run = run_order(harbour_order(setup_assistance=setup_assistance, **changes))

    assert run.state == "failed", run.task_states
    assert run.task_states[failed_task] == "failed"
    assert run.task_states[LEAF] == "upstream_failed"
    assert run.report["outcome"] == OUTCOMES.get(failure, "failed")
    assert run.sim_state["setupAssistRequests"] == []
    if setup_assistance:
        assert run.report["setupAssist"] == "requested, not sent"
        assert failed_task.split("[")[0] in run.report["setupAssistNote"]
    else:
        assert run.report["setupAssist"] == "not requested"
        assert run.task_states["request_setup_assistance"] in ("skipped", "upstream_failed")


@pytest.mark.parametrize("setup_assistance", [False, True], ids=["no Setup Assist", "Setup Assist"])
def test_a_dry_run_refused_at_precheck_fails_the_run(setup_assistance, run_order):
    order = harbour_order(setup_assistance=setup_assistance, provisioningId="no-such-template", dryRun=True)

    run = run_order(order)

    assert run.state == "failed", run.task_states
    assert run.task_states["check_template"] == "failed"
    assert run.task_states[LEAF] == "upstream_failed"
    assert run.sim_state["customers"] == []


def test_a_setup_assist_channel_that_refuses_fails_the_run(run_order, wired_simulator, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT", setup_assist_connection(wired_simulator, "/nowhere"))

    run = run_order(harbour_order(setup_assistance=True))

    assert run.state == "failed", run.task_states
    assert run.task_states["request_setup_assistance"] == "failed"
    assert run.tries["request_setup_assistance"] == 1  # a 4xx refusal is not retried
    assert run.task_states[LEAF] == "upstream_failed"
    assert run.report["counts"] == {"provisioned": 3}  # everything else was done
    assert run.report["setupAssist"] == "requested, not sent"
    assert "404" in run.report["setupAssistNote"]


@pytest.mark.parametrize("setup_assistance", [False, True], ids=["no Setup Assist", "Setup Assist"])
def test_a_successful_onboarding_is_a_successful_run(setup_assistance, run_order):
    run = run_order(harbour_order(setup_assistance=setup_assistance))

    assert run.state == "success", run.task_states
    assert run.task_states[LEAF] == "success"
    assert run.report["outcome"] == "succeeded"
    assert len(run.sim_state["setupAssistRequests"]) == (1 if setup_assistance else 0)
    assert run.report["setupAssist"] == ("delivered" if setup_assistance else "not requested")


def test_setup_assist_without_a_channel_is_put_in_the_report_to_submit_by_hand(run_order, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT")

    run = run_order(harbour_order(setup_assistance=True))

    assert run.state == "success", run.task_states
    assert run.task_states["request_setup_assistance"] == "success"
    assert run.sim_state["setupAssistRequests"] == []
    report = run.report
    assert report["setupAssist"] == "to submit by hand"
    (customer,) = run.sim_state["customers"]
    request = report["setupAssistRequest"]
    assert request["orgId"] == customer["orgId"]
    assert request["customerId"] == customer["id"]
    assert request["userCounts"] == {"webex_meetings": 3}
    assert request["contact"] == {"name": "Priya Shah", "email": "priya@harbour-optics.example.com", "phone": None}
