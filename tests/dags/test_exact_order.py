"""A run does exactly what its order says: nothing of the demo order reaches a run it was not asked into.

Airflow fills every top-level key a conf leaves out with its Param's default, and the form's defaults were the
demo order; an order without ``setupAssistance`` used to request Setup Assist for the demo's contact, and so did
an order typed into the form over the demo one without clearing its Setup Assist field. Each test leaves one
optional top-level field out of an order that shares no value with the demo one (or leaves it as the form shows
it), then looks at every request Webex and the Setup Assist intake received.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from dag_helpers import BASE_ORDER, DAG_ID, DEMO_ORDER, ROOT, SETUP_ASSISTANCE, SIM_TOKEN

pytestmark = pytest.mark.airflow_run

ACTIVE_SUB_PARTNER = "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9zaW0tc3ViLXBhcnRuZXItYWN0aXZl"  # the simulator's
FULL_ORDER: dict[str, Any] = {
    **copy.deepcopy(BASE_ORDER),
    "externalId": "harbour-optics-exact",
    "subPartnerAdminEmail": "partner-admin@harbour-optics.example.com",
    "onBehalfOfSubPartnerOrgId": ACTIVE_SUB_PARTNER,
    "setupAssistance": SETUP_ASSISTANCE,
}
OPTIONAL_FIELDS = [
    "setupAssistance",
    "provisioningParameters",
    "customerInfo",
    "subPartnerAdminEmail",
    "onBehalfOfSubPartnerOrgId",
]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):  # the recorded bodies are (route, body) pairs
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def order_without(field: str) -> dict[str, Any]:
    order = {k: v for k, v in copy.deepcopy(FULL_ORDER).items() if k != field}
    if field == "customerInfo":  # an order may leave it out only when it attaches an existing org
        order["orgId"] = "existing-org-harbour-optics"
    return order


def leaked_demo_values(order: dict[str, Any], sent: set[str]) -> set[str]:
    """Values of the demo order that the order does not hold but that were sent anyway."""
    demo_only = set(strings(DEMO_ORDER)) - set(strings(order))
    return demo_only & sent


def values_sent(bodies: list, requests: list[dict[str, Any]], setup_assist_requests: list) -> set[str]:
    """Every string value of every body, query parameter and Setup Assist request, whole (never a substring)."""
    query_values = {value for r in requests for _, value in parse_qsl(r["query"])}
    return set(strings([bodies, setup_assist_requests])) | query_values


def everything_sent(run: Any) -> set[str]:
    return values_sent(run.bodies, run.sim_state["requests"], run.sim_state["setupAssistRequests"])


@pytest.mark.parametrize("field", OPTIONAL_FIELDS)
def test_an_optional_field_left_out_is_not_filled_from_the_demo_order(field, run_order):
    order = order_without(field)

    run = run_order(order)

    assert run.state == "success", run.task_states
    assert [what for what, _ in run.bodies].count("subscriber_rules.check_provision") == 3  # the bodies were seen
    assert leaked_demo_values(order, everything_sent(run)) == set()
    (customer_body,) = [body for what, body in run.bodies if what == "customer_rules.check_provision"]
    assert field not in customer_body
    if field == "onBehalfOfSubPartnerOrgId":
        assert all("onBehalfOfSubPartnerOrgId" not in r["query"] for r in run.api_calls())
    if field == "setupAssistance":
        assert run.sim_state["setupAssistRequests"] == []
        assert run.task_states["request_setup_assistance"] == "skipped"
        assert run.report["setupAssist"] == "not requested"


def form_conf(dag: Any, typed: dict[str, Any]) -> dict[str, Any]:
    """The conf the trigger form sends: every field as the form shows it (the served DAG's params, as the UI
    reads them), with what the person ``typed`` over it."""
    from airflow.serialization.serialized_objects import DagSerialization

    shown = DagSerialization.from_dict(DagSerialization.to_dict(dag)).params.dump()
    return {**shown, **typed}


def test_an_order_typed_into_the_empty_form_sends_nothing_of_the_demo_order(onboarding_dag, run_order):
    """The person fills in their order's fields and leaves Setup Assist as the form had it: empty, so nothing of
    the demo customer (its contact above all) is sent."""
    order = order_without("setupAssistance")
    conf = form_conf(onboarding_dag, order)
    assert conf["setupAssistance"] is None

    run = run_order(conf)

    assert run.state == "success", run.task_states
    assert leaked_demo_values(order, everything_sent(run)) == set()
    assert run.sim_state["setupAssistRequests"] == []
    assert run.report["externalId"] == order["externalId"]


def test_airflow_dags_test_with_an_order_without_setup_assistance_requests_none(
    onboarding_dag, wired_simulator, received_bodies, tmp_path
):
    """The CLI entry point (``airflow dags test --conf``), as the issue's new user tried it."""
    order = order_without("setupAssistance")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "include")])}

    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", DAG_ID, "--conf", json.dumps(order)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    state = wired_simulator.state()
    assert len(state["customers"]) == 1
    assert state["setupAssistRequests"] == []
    assert received_bodies
    assert leaked_demo_values(order, values_sent(received_bodies, state["requests"], [])) == set()


def test_the_leak_check_sees_a_demo_value_that_was_sent():
    """The check above would catch the bug it guards against: the demo's Setup Assist contact, sent."""
    order = order_without("setupAssistance")
    sent = values_sent([], [], [{"body": {"contact": {"name": DEMO_ORDER["setupAssistance"]["contactName"]}}}])

    assert leaked_demo_values(order, sent) == {"Dana Admin"}


def test_order_data_is_sent_as_written_never_rendered_as_a_template(run_order):
    """Strings of an order reach Webex as the order wrote them, even when they look like Jinja: Airflow renders a
    mapped task's expanded arguments as templates, which would compute them, or read a connection's token."""
    order = copy.deepcopy(FULL_ORDER)
    order["customerInfo"]["name"] = "{{ 6 * 7 }} Harbour Optics"
    order["subscribers"][1]["provisioningParameters"]["lastName"] = "{{ conn.webex_wholesale_default.password }}"
    order["subscribers"][2]["provisioningParameters"]["firstName"] = "{{ 6 * 7 }}"

    run = run_order(order)

    assert run.state == "success", run.task_states
    sent = everything_sent(run)
    assert {"{{ 6 * 7 }} Harbour Optics", "{{ conn.webex_wholesale_default.password }}", "{{ 6 * 7 }}"} <= sent
    assert not {"42", "42 Harbour Optics", SIM_TOKEN} & sent
