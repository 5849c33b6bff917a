"""WebexWholesaleHook over real HTTP against the local simulator (include/wholesale_sim)."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers.hook_helpers import api_lines, set_connection

from webex_wholesale.exceptions import WebexAmbiguousWriteError, WebexPermanentError
from webex_wholesale.hooks.wholesale import WebexWholesaleHook

ROOT = Path(__file__).resolve().parents[2]
DEMO_ORDER = json.loads((ROOT / "include" / "orders" / "demo-order.json").read_text())
CUSTOMER_FIELDS = ("provisioningId", "packages", "externalId", "address", "customerInfo", "provisioningParameters")


def customer_body(external_id: str = "acme-dental-0001") -> dict:
    body = {k: copy.deepcopy(DEMO_ORDER[k]) for k in CUSTOMER_FIELDS if k in DEMO_ORDER}
    body["externalId"] = external_id
    return body


def subscriber_body(customer_id: str, email: str, package: str = "webex_meetings", **params) -> dict:
    first, _, last = email.partition("@")[0].partition(".")
    return {
        "customerId": customer_id,
        "email": email,
        "packages": [package],
        "provisioningParameters": {"firstName": first.title() or "User", "lastName": last.title() or "Test", **params},
    }


def connect(monkeypatch, sim, **extra_fields) -> None:
    fields = {"host": sim.base_url, "password": sim.token, **extra_fields}
    set_connection(monkeypatch, **{k: v for k, v in fields.items() if v is not None})


def make_hook(**kwargs) -> WebexWholesaleHook:
    kwargs.setdefault("max_retry_wait", 0.5)  # keep retries short against a local simulator
    return WebexWholesaleHook(**kwargs)


def wait_provisioned(hook: WebexWholesaleHook, customer_id: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        customer = hook.get_customer(customer_id)
        if customer.is_terminal():
            return customer
        assert time.monotonic() < deadline, f"customer still {customer.status} after {timeout} s"
        time.sleep(0.1)


@pytest.fixture
def sim_hook(simulator, monkeypatch):
    connect(monkeypatch, simulator)
    return make_hook()


@pytest.fixture
def customer_id(sim_hook):
    return wait_provisioned(sim_hook, sim_hook.provision_customer(customer_body())).id


def test_provision_customer_and_poll_to_provisioned(sim_hook):
    body = customer_body("acme-poll-1")
    cid = sim_hook.provision_customer(body)
    assert cid
    customer = wait_provisioned(sim_hook, cid)
    assert customer.status == "provisioned"
    assert customer.org_id
    assert sim_hook.find_customer_by_external_id("acme-poll-1").id == cid
    assert sim_hook.find_customer_by_external_id("no-such-customer") is None
    assert [c.id for c in sim_hook.list_customers(external_id="acme-poll-1")] == [cid]


def test_prechecks(sim_hook, customer_id):
    result = sim_hook.precheck_customer(customer_body("acme-precheck"))
    assert [i.info_code for i in result.info] == [100]
    result = sim_hook.precheck_subscriber({"customerId": customer_id, "email": "new.person@acme-dental.example.com"})
    assert result.message


def test_precheck_with_unknown_template_is_permanent(sim_hook):
    body = customer_body("acme-bad-template")
    body["provisioningId"] = "no-such-template"
    with pytest.raises(WebexPermanentError) as info:
        sim_hook.precheck_customer(body)
    assert 400 <= info.value.status_code < 500
    assert info.value.tracking_id


def test_provision_list_get_update_delete_subscribers(sim_hook, customer_id):
    admin = sim_hook.provision_subscriber(
        subscriber_body(customer_id, "dana.admin@acme-dental.example.com", "webex_suite", extension="1001")
    )
    assert admin.status == "provisioned"
    other = sim_hook.provision_subscriber(subscriber_body(customer_id, "morgan.lee@acme-dental.example.com"))
    listed = sim_hook.list_subscribers(customer_id=customer_id)
    assert {s.id for s in listed} == {admin.id, other.id}
    assert sim_hook.get_subscriber(other.id).email == "morgan.lee@acme-dental.example.com"
    (by_email,) = sim_hook.list_subscribers(customer_id=customer_id, email="morgan.lee@acme-dental.example.com")
    assert by_email.id == other.id
    sim_hook.delete_subscriber(other.id)
    assert {s.id for s in sim_hook.list_subscribers(customer_id=customer_id)} == {admin.id}


def test_duplicate_email_is_permanent_with_error_code_10022(sim_hook, customer_id):
    body = subscriber_body(customer_id, "sam.patel@acme-dental.example.com")
    sim_hook.provision_subscriber(body)
    with pytest.raises(WebexPermanentError) as info:
        sim_hook.provision_subscriber(body)
    error = info.value
    assert 10022 in error.error_codes
    assert error.status_code in (400, 409)
    assert error.tracking_id
    assert "10022" in str(error)


def test_listing_more_than_a_page_of_subscribers(sim_hook, customer_id):
    emails = [f"user{i:03d}.bulk@acme-dental.example.com" for i in range(130)]
    for email in emails:
        sim_hook.provision_subscriber(subscriber_body(customer_id, email))
    import structlog

    with structlog.testing.capture_logs() as logs:
        subscribers = sim_hook.list_subscribers(customer_id=customer_id)
    assert sorted(s.email for s in subscribers) == sorted(emails)
    pages = [line for line in api_lines(logs) if "method=GET path=/wholesale/subscribers" in line]
    assert len(pages) >= 2


def on_the_fake_clock(monkeypatch, fake_time, make_budget, **kwargs) -> WebexWholesaleHook:
    """A hook whose budget and retries wait on the fake clock, which the simulator's rate limit reads too: the
    rate the simulator sees is the one the budget paced, however fast or slow the machine sends."""
    from wholesale_sim import traffic

    monkeypatch.setattr(traffic, "time", SimpleNamespace(monotonic=fake_time.clock))
    ceiling = make_hook().budget.policy.ceiling  # the connection's requests_per_second, if it sets one
    hook = make_hook(budget=make_budget(ceiling), **kwargs)
    hook.sleep = fake_time.retry_sleep
    return hook


def test_rate_limited_simulator_still_completes(monkeypatch, fake_time, make_budget):
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token="t", provision_delay=0.1, rate_limit=5)) as sim:
        connect(monkeypatch, sim)
        hook = on_the_fake_clock(monkeypatch, fake_time, make_budget, max_attempts=20)
        import structlog

        with structlog.testing.capture_logs() as logs:
            for _ in range(15):
                hook.list_customers()
        statuses = [line.split(" status=")[1].split()[0] for line in api_lines(logs)]
        assert statuses.count("200") == 15
        assert "429" in statuses  # the simulator did push back, and the hook waited it out


def test_client_side_limit_avoids_429s(monkeypatch, fake_time, make_budget):
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token="t", provision_delay=0.1, rate_limit=5)) as sim:
        connect(monkeypatch, sim, extra={"requests_per_second": 4})
        hook = on_the_fake_clock(monkeypatch, fake_time, make_budget)
        import structlog

        with structlog.testing.capture_logs() as logs:
            for _ in range(10):
                hook.list_customers()
        statuses = [line.split(" status=")[1].split()[0] for line in api_lines(logs)]
        assert statuses == ["200"] * 10


def test_fault_injected_simulator_completes_with_reconciliation(monkeypatch):
    """Reads and prechecks are retried; ambiguous provisioning POSTs are reconciled by lookup, as operators do."""
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token="t", provision_delay=0.1, fault_rate=0.3, seed=1)) as sim:
        # A configured budget: the random 429s would otherwise teach a learned one a rate of a few a second.
        connect(monkeypatch, sim, extra={"requests_per_second": 100})
        hook = make_hook(max_attempts=10, max_retry_wait=0.2)
        hook.sleep = lambda seconds: time.sleep(min(seconds, 0.05))

        body = customer_body("acme-faulty")
        assert hook.precheck_customer(body).info
        try:
            cid = hook.provision_customer(body)
        except WebexAmbiguousWriteError:
            found = hook.find_customer_by_external_id("acme-faulty")
            cid = found.id if found else hook.provision_customer(body)
        wait_provisioned(hook, cid)

        emails = [f"f{i}.user@acme-dental.example.com" for i in range(12)]
        for email in emails:
            for _ in range(5):
                try:
                    hook.provision_subscriber(subscriber_body(cid, email))
                    break
                except WebexAmbiguousWriteError:
                    if hook.list_subscribers(customer_id=cid, email=email):
                        break
        assert sorted(s.email for s in hook.list_subscribers(customer_id=cid)) == sorted(emails)
        assert len(hook.list_customers(external_id="acme-faulty")) == 1  # no duplicate customer


OAUTH = {"oauth_client_id": "sim-client", "oauth_client_secret": "sim-secret", "oauth_refresh_token": "sim-refresh"}
OAUTH_EXTRA = {"client_id": "sim-client", "client_secret": "sim-secret", "refresh_token": "sim-refresh"}


def test_oauth_token_obtained_from_the_simulator(monkeypatch):
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token="t", provision_delay=0.1, **OAUTH)) as sim:
        connect(monkeypatch, sim, password=None, extra=OAUTH_EXTRA)
        hook = make_hook()
        assert hook.list_customers() == []
        assert hook._token.value
        assert hook._token.value != "t"


def test_oauth_refresh_after_401_against_the_simulator(monkeypatch):
    from wholesale_sim.config import SimConfig
    from wholesale_sim.testing import running_simulator

    with running_simulator(SimConfig(token="t", provision_delay=0.1, **OAUTH)) as sim:
        connect(monkeypatch, sim, password="expired-or-revoked", extra=OAUTH_EXTRA)
        hook = make_hook()
        import structlog

        with structlog.testing.capture_logs() as logs:
            assert hook.list_customers() == []
        statuses = [line.split(" status=")[1].split()[0] for line in api_lines(logs)]
        assert statuses == ["401", "200", "200"]  # rejected, token refreshed, repeated


def test_test_connection_against_the_simulator(simulator, monkeypatch):
    connect(monkeypatch, simulator)
    assert make_hook().test_connection()[0]
    set_connection(monkeypatch, "wx_bad_token", host=simulator.base_url, password="wrong-token-zq9")
    ok, message = WebexWholesaleHook("wx_bad_token").test_connection()
    assert not ok
    assert "401" in message
    assert "wrong-token-zq9" not in message
