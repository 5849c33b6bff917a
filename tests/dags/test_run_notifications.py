"""An onboarding run tells the configured channels how it ended: one message per failed run or run needing
attention, none for a success unless asked; a channel that cannot be reached never changes the run's outcome."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from dag_helpers import order_with
from helpers.notify_fixtures import free_port, smtp_connection

pytestmark = pytest.mark.airflow_run


def test_a_failed_run_sends_one_message_per_channel_naming_customer_failure_and_the_run(run_order, inbox, space):
    run = run_order(order_with(provisioningId="no-such-template"))

    assert run.state == "failed"
    (mail,) = inbox.messages
    assert mail["Subject"] == "Webex Wholesale: Acme Dental Group (acme-dental-0001): failed"
    body = inbox.html(0)
    assert "step check_template:" in body
    assert "no-such-template" in body
    assert f"/wholesale/runs/webex_wholesale_onboarding/{quote(run.report['runId'], safe='')}" in body
    (message,) = space.state()["messages"]
    assert "Acme Dental Group (acme-dental-0001): failed" in message["markdown"]
    assert "What to do: Read the report" in message["markdown"]
    assert space.token not in message["markdown"]


def test_a_customer_held_for_compliance_review_is_told_as_needing_attention_with_what_to_do(run_order, inbox):
    run = run_order(order_with(externalId="acme-rpl-review-1"))

    assert run.report["outcome"] == "needs_attention"
    (mail,) = inbox.messages
    assert mail["Subject"] == "Webex Wholesale: Acme Dental Group (acme-rpl-review-1): needs attention"
    assert "compliance review must clear the customer" in inbox.html(0)


def test_a_success_is_told_only_when_the_variable_asks(run_order, wired_simulator, inbox, monkeypatch):
    assert run_order().state == "success"
    assert inbox.messages == []

    wired_simulator.reset()  # the same order again, on a Webex that holds nothing
    monkeypatch.setenv("AIRFLOW_VAR_WEBEX_WHOLESALE_NOTIFY_ON_SUCCESS", "true")
    assert run_order(order_with(externalId="acme-dental-0002")).state == "success"
    (mail,) = inbox.messages
    assert mail["Subject"] == "Webex Wholesale: Acme Dental Group (acme-dental-0002): succeeded"


def test_an_unreachable_mail_server_leaves_the_run_as_it_was(run_order, monkeypatch):
    from webex_wholesale.notify import deliver

    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_SMTP", smtp_connection(free_port()))
    monkeypatch.setenv("AIRFLOW_VAR_WEBEX_WHOLESALE_NOTIFY_ON_SUCCESS", "true")
    monkeypatch.setattr(deliver, "FIRST_PAUSE", 0.0)

    run = run_order()

    assert run.state == "success"
    assert run.task_states["onboarding_report"] == "success"
