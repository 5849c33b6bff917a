"""WebexCustomerStatusTrigger: serialization, and run() against the simulator over real HTTP.

pytest-asyncio is not installed: each test drives the trigger's async generator with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from helpers import demo_order, wholesale_connection
from helpers.clocks import FakeClock

TRIGGER_PATH = "webex_wholesale.triggers.customer.WebexCustomerStatusTrigger"


def make_trigger(customer_id: str = "cust-1", **overrides: Any):
    from webex_wholesale.triggers import WebexCustomerStatusTrigger

    kwargs: dict[str, Any] = {
        "customer_id": customer_id,
        "webex_wholesale_conn_id": "webex_wholesale_default",
        "end_time": time.time() + 20,
        "poll_interval": 0.05,
        "on_behalf_of_sub_partner_org_id": None,
    }
    kwargs.update(overrides)
    return WebexCustomerStatusTrigger(**kwargs)


def all_events(trigger) -> list:
    """Every event the trigger yields, until its generator ends."""

    async def collect() -> list:
        return [event async for event in trigger.run()]

    return asyncio.run(asyncio.wait_for(collect(), timeout=30))


@pytest.fixture
def wired(simulator, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", wholesale_connection(simulator))
    return simulator


def new_customer(external_id: str) -> str:
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook
    from webex_wholesale.models import parse_order

    order = demo_order(externalId=external_id)
    hook = WebexWholesaleHook()
    try:
        return hook.provision_customer(parse_order(order).customer_body())
    finally:
        hook.close()


# ---------------------------------------------------------------------- serialization


def test_serialize_mirrors_init_and_round_trips():
    from webex_wholesale.triggers import WebexCustomerStatusTrigger

    trigger = make_trigger("c-42", on_behalf_of_sub_partner_org_id="sub-org-1", end_time=1_900_000_000.5)

    classpath, kwargs = trigger.serialize()

    assert classpath == TRIGGER_PATH
    params = set(inspect.signature(WebexCustomerStatusTrigger.__init__).parameters) - {"self"}
    assert set(kwargs) == params
    rebuilt = WebexCustomerStatusTrigger(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)
    assert kwargs["end_time"] == 1_900_000_000.5  # absolute, never recomputed
    assert json.loads(json.dumps(kwargs)) == kwargs  # JSON-safe
    text = json.dumps(kwargs).lower()
    assert "token" not in text
    assert "password" not in text


def test_classpath_imports_to_the_class():
    from airflow.sdk._shared.module_loading import import_string  # what dag.test() and the triggerer use

    from webex_wholesale.triggers.customer import WebexCustomerStatusTrigger

    assert import_string(TRIGGER_PATH) is WebexCustomerStatusTrigger


# ---------------------------------------------------------------------- run() against the simulator


def test_provisioned_customer_yields_one_provisioned_event_with_org_id(wired):
    customer_id = new_customer("trig-ok-1")

    events = all_events(make_trigger(customer_id))

    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "provisioned"
    assert payload["customer_id"] == customer_id
    assert payload["customer"]["id"] == customer_id
    assert payload["customer"]["orgId"]
    assert payload["customer"]["status"] == "provisioned"
    assert customer_id in payload["message"]


def test_customer_in_error_yields_error_with_webex_codes(wired):
    customer_id = new_customer("trig-provision-error-1")

    (event,) = all_events(make_trigger(customer_id))

    assert event.payload["status"] == "error"
    assert [e["errorCode"] for e in event.payload["customer"]["errors"]] == [2560]


def test_provisioned_with_errors_is_its_own_status(wired):
    customer_id = new_customer("trig-partial-error-1")

    (event,) = all_events(make_trigger(customer_id))

    assert event.payload["status"] == "provisioned_with_errors"


def test_compliance_review_yields_on_hold(wired):
    customer_id = new_customer("trig-rpl-review-1")

    (event,) = all_events(make_trigger(customer_id))

    assert event.payload["status"] == "on_hold"
    assert event.payload["customer"]["status"] == "pending_rpl_review"
    assert "Denied Party List" in event.payload["message"]


def test_deadline_already_passed_yields_timeout_after_one_last_check(monkeypatch):
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token="t", provision_delay=60)) as slow:
        monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", wholesale_connection(slow))
        customer_id = new_customer("trig-slow-1")

        events = all_events(make_trigger(customer_id, end_time=time.time() - 1))

        gets = [r for r in slow.state()["requests"] if r["method"] == "GET" and customer_id in r["path"]]
    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "timeout"
    assert payload["customer"]["status"] == "provisioning"
    assert "deadline" in payload["message"]
    assert len(gets) == 1


def test_unknown_customer_is_a_failure_event(wired):
    (event,) = all_events(make_trigger("no-such-customer"))

    assert event.payload["status"] == "failure"
    assert event.payload["customer"] is None
    assert "404" in event.payload["message"]


def test_a_wait_until_gone_ends_gone_once_the_deletion_finishes(wired):
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

    customer_id = new_customer("trig-gone-1")
    (provisioned,) = all_events(make_trigger(customer_id))
    hook = WebexWholesaleHook()
    try:
        hook.delete_customer(customer_id)
        assert hook.get_customer(customer_id).status == "deleting"
    finally:
        hook.close()

    (event,) = all_events(make_trigger(customer_id, until_gone=True))

    assert provisioned.payload["status"] == "provisioned"
    assert event.payload["status"] == "gone"
    assert event.payload["customer"]["status"] == "deleting"


def test_a_wait_until_gone_does_not_end_on_a_provisioned_customer(wired):
    customer_id = new_customer("trig-not-gone-1")
    all_events(make_trigger(customer_id))

    (event,) = all_events(make_trigger(customer_id, until_gone=True, end_time=time.time() + 0.3))

    assert event.payload["status"] == "timeout"


def test_missing_connection_is_a_failure_event_naming_it(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_WEBEX_WHOLESALE_NOPE", raising=False)

    (event,) = all_events(make_trigger("c-1", webex_wholesale_conn_id="webex_wholesale_nope"))

    assert event.payload["status"] == "failure"
    assert "webex_wholesale_nope" in event.payload["message"]


# ---------------------------------------------------------------------- transient failures (fake hook)


class ScriptedHook:
    """Answers ``get_customer`` from a script: exceptions are raised, dicts become customers."""

    def __init__(self, script: list) -> None:
        self.script = list(script)
        self.calls = 0
        self.closed = False

    def get_customer(self, customer_id: str):
        from webex_wholesale.models import Customer

        self.calls += 1
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        return Customer.model_validate({"id": customer_id, **item})

    def close(self) -> None:
        self.closed = True


def test_transient_errors_are_logged_and_polling_continues(monkeypatch):
    from webex_wholesale.exceptions import WebexConnectionError, WebexTransientError

    hook = ScriptedHook(
        [
            WebexTransientError(503, "busy", method="GET", path="/wholesale/customers/c-1"),
            WebexConnectionError("GET", "/wholesale/customers/c-1", "ReadTimeout"),
            {"status": "provisioning"},
            {"status": "provisioned", "orgId": "org-1"},
        ]
    )
    trigger = make_trigger("c-1", poll_interval=0.01)
    monkeypatch.setattr(trigger, "_make_hook", lambda: hook)

    (event,) = all_events(trigger)

    assert event.payload["status"] == "provisioned"
    assert event.payload["customer"]["orgId"] == "org-1"
    assert hook.calls == 4
    assert hook.closed


def test_transient_errors_until_the_deadline_end_in_timeout(monkeypatch):
    from webex_wholesale.exceptions import WebexTransientError
    from webex_wholesale.triggers import customer as trigger_module

    clock = FakeClock()  # the trigger's: its polls are counted in a second of it, not of a loaded machine
    loop = SimpleNamespace(to_thread=asyncio.to_thread, sleep=clock.async_sleep)
    monkeypatch.setattr(trigger_module, "time", SimpleNamespace(time=clock.time))
    monkeypatch.setattr(trigger_module, "asyncio", loop)
    hook = ScriptedHook([WebexTransientError(502, "bad gateway", method="GET", path="/x")])
    trigger = make_trigger("c-1", poll_interval=0.25, end_time=clock.time() + 1.0)
    monkeypatch.setattr(trigger, "_make_hook", lambda: hook)

    (event,) = all_events(trigger)

    assert event.payload["status"] == "timeout"
    assert event.payload["customer"] is None
    assert hook.calls == 5  # at once, then every 0.25 s until the deadline


def test_permanent_error_while_polling_ends_with_failure(monkeypatch):
    from webex_wholesale.exceptions import WebexPermanentError

    hook = ScriptedHook(
        [{"status": "provisioning"}, WebexPermanentError(403, "Forbidden", method="GET", path="/x", tracking_id="T1")]
    )
    trigger = make_trigger("c-1", poll_interval=0.01)
    monkeypatch.setattr(trigger, "_make_hook", lambda: hook)

    (event,) = all_events(trigger)

    assert event.payload["status"] == "failure"
    assert "403" in event.payload["message"]
    assert "T1" in event.payload["message"]
    assert event.payload["customer"]["status"] == "provisioning"  # the last customer read is kept


def test_package_still_provisioning_is_not_terminal(monkeypatch):
    def customer(package_status: str) -> dict:
        package = {"name": "webex_calling", "status": package_status}
        return {"status": "provisioned", "resourceDetails": {"packages": [package]}}

    busy, done = customer("provisioning"), customer("provisioned")
    hook = ScriptedHook([busy, done])
    trigger = make_trigger("c-1", poll_interval=0.01)
    monkeypatch.setattr(trigger, "_make_hook", lambda: hook)

    (event,) = all_events(trigger)

    assert event.payload["status"] == "provisioned"
    assert hook.calls == 2
