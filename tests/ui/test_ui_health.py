"""The Health view: customers with findings and their ages, and the one-click repair of drift (a queued change)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import demo_order

from webex_wholesale.ids import ONBOARDING_DAG_ID
from webex_wholesale.models import parse_order
from webex_wholesale.models.health import Finding, FindingKind
from webex_wholesale.models.states import REMOVE_UNLISTED, OrderKind, RunOutcome
from webex_wholesale.state.findings import finish_check, open_findings, record_findings, start_check
from webex_wholesale.state.orders import QueuedOrder, claim, enqueue, find_order
from webex_wholesale.state.runs import begin_order_run, finish_run
from webex_wholesale.state.schema import utcnow


def onboarded(engine, *, settle: bool = True) -> int:
    """The demo order, queued and (``settle``) onboarded successfully; returns its id."""
    (order_id,) = enqueue(engine, [QueuedOrder(parse_order(demo_order()), "test")])
    if settle:
        (item,) = claim(engine, 1)
        begin_order_run(engine, order_id, ONBOARDING_DAG_ID, item.dag_run_id)
        finish_run(engine, item.dag_run_id, RunOutcome.SUCCEEDED, customer_id="C1")
    return order_id


def drift_found(engine, order_id: int) -> int:
    """One check that found the demo customer drifted three hours ago and still does; returns the finding's id."""
    drift = Finding(
        external_id="acme-dental-0001",
        kind=FindingKind.DRIFT,
        customer_name="Acme Dental Group",
        summary="Webex differs from the last order: 1 subscriber(s) not in the order",
        order_id=order_id,
        details={"notOrdered": ["intruder@acme-dental.example.com"]},
    )
    record_findings(engine, [drift], utcnow() - timedelta(hours=3, minutes=2))
    check = start_check(engine, "scheduled__1")
    record_findings(engine, [drift], utcnow())
    finish_check(engine, check, customers=4, requests=8)
    (row,) = open_findings(engine)
    return row["id"]


@pytest.fixture
def operator_client(sqlite_engine, mint_token):
    """A client of a user who may start DAG runs (the simple auth manager's ``op`` role)."""
    from ui_helpers import mounted_client

    client = mounted_client(sqlite_engine)[1]
    client.cookies.set("_token", mint_token(username="operator", role="op"))
    client.headers["Sec-Fetch-Site"] = "same-origin"  # a button of the page itself, as a browser says
    return client


def test_before_any_check_the_view_says_when_it_runs(browser):
    page = browser.get("/wholesale/health")

    assert page.status_code == 200
    assert "No health check has finished yet" in page.text


def test_customers_with_findings_are_listed_with_age_advice_and_the_repair(browser, sqlite_engine):
    finding_id = drift_found(sqlite_engine, onboarded(sqlite_engine))

    page = browser.get("/wholesale/health").text

    assert "4 customers read with\n  8 requests" in page
    assert "<strong>3</strong> healthy, <strong>1</strong> with" in page
    assert "drift from the order" in page
    assert "3 h 2 min" in page
    assert "intruder@acme-dental.example.com" in page
    assert f'action="/wholesale/health/{finding_id}/repair"' in page


def test_repair_queues_the_last_order_again_as_a_change_and_shows_it(operator_client, sqlite_engine):
    original = onboarded(sqlite_engine)
    finding_id = drift_found(sqlite_engine, original)

    answer = operator_client.post(f"/wholesale/health/{finding_id}/repair", follow_redirects=False)

    assert answer.status_code == 303
    new_id = int(answer.headers["location"].rsplit("/", 1)[1])
    queued = find_order(sqlite_engine, new_id)
    assert (queued["kind"], queued["state"], queued["external_id"]) == (OrderKind.CHANGE, "queued", "acme-dental-0001")
    # The order as last applied, now also removing users it does not list (drift counts them; removals wait for
    # a person's approval in the change run).
    assert queued["order_json"] == {**find_order(sqlite_engine, original)["order_json"], REMOVE_UNLISTED: True}


def test_repair_is_refused_while_an_order_of_the_customer_is_under_way(operator_client, sqlite_engine):
    finding_id = drift_found(sqlite_engine, onboarded(sqlite_engine, settle=False))

    assert operator_client.post(f"/wholesale/health/{finding_id}/repair").status_code == 409


def test_repair_needs_a_user_who_may_start_changes_asking_from_this_site(browser, operator_client, sqlite_engine):
    finding_id = drift_found(sqlite_engine, onboarded(sqlite_engine))
    url = f"/wholesale/health/{finding_id}/repair"

    assert browser.post(url, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 403  # a viewer
    assert operator_client.post(url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert operator_client.post("/wholesale/health/999/repair").status_code == 404
