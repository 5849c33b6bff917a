"""The health check end to end: customers onboarded on the simulator, findings kept in the state database, and one
message per new or resolved finding by email (a real SMTP server) and to a Webex space (the simulator)."""

from __future__ import annotations

import logging
from datetime import timedelta

from health_helpers import add_subscriber, api, onboard, settled_status
from state_helpers import order_data

from webex_wholesale.health.run import HealthSettings, check_health, notify_findings
from webex_wholesale.state.findings import last_check, open_findings
from webex_wholesale.state.schema import utcnow

#: Users waiting for consent count from the first second, so the simulator's fresh pending users are findings.
SETTINGS = HealthSettings(consent_grace=timedelta(0))


def found(engine) -> dict[tuple[str, str], dict]:
    return {(row["external_id"], row["kind"]): row for row in open_findings(engine)}


def test_each_status_consent_and_drift_is_found_on_the_simulator(state_db, webex):
    onboard(webex, state_db, "healthy-1")
    onboard(webex, state_db, "held-rpl-review-1")
    onboard(webex, state_db, "broken-provision-error-1")
    onboard(webex, state_db, "partial-error-1")
    order, waiting_id = onboard(webex, state_db, "waiting-1", subscribers=1)
    add_subscriber(webex, waiting_id, {**order["subscribers"][0], "email": "to-migrate@waiting-1.example.com"})
    drifted, drifted_id = onboard(webex, state_db, "drifted-1")
    session = api(webex)
    held = session.get(f"{webex.base_url}/wholesale/subscribers", params={"customerId": drifted_id}, timeout=10)
    gone = next(s for s in held.json()["items"] if s["email"] == drifted["subscribers"][1]["email"])
    session.delete(f"{webex.base_url}/wholesale/subscribers/{gone['id']}", timeout=10).raise_for_status()

    summary = check_health(state_db, SETTINGS, dag_run_id="manual__1")

    findings = found(state_db)
    assert set(findings) == {
        ("held-rpl-review-1", "pending_rpl_review"),
        ("broken-provision-error-1", "customer_error"),
        ("partial-error-1", "provisioned_with_errors"),
        ("waiting-1", "consent_outstanding"),
        ("waiting-1", "drift"),  # the user waiting for consent is one the order does not list
        ("drifted-1", "drift"),
    }
    assert findings[("drifted-1", "drift")]["details"]["missing"] == [gone["email"]]
    assert findings[("waiting-1", "drift")]["details"]["notOrdered"] == ["to-migrate@waiting-1.example.com"]
    assert "errorCode 2560" in findings[("partial-error-1", "provisioned_with_errors")]["summary"]
    assert summary["customers"] == 6
    assert summary["opened"] == 6
    assert summary["requests"] == 12  # one read of each customer, one page of its subscribers
    assert last_check(state_db)["requests"] == 12


def test_a_customer_ordered_for_a_sub_partner_is_read_acting_for_it(state_db, webex):
    """Webex shows a sub-partner's customer only to requests acting for that sub-partner."""
    partners = api(webex).get(f"{webex.base_url}/wholesale/subPartners", timeout=10).json()["items"]
    active = next(p["orgId"] for p in partners if p["provisioningState"] == "active")
    onboard(webex, state_db, "fjell-care-1", sub_partner=active)
    onboard(webex, state_db, "brygge-dental-1")
    before = len(webex.state()["requests"])

    summary = check_health(state_db, SETTINGS)

    assert found(state_db) == {}  # both read and healthy: neither is "unreadable"
    assert summary["customers"] == 2
    checks = webex.state()["requests"][before:]
    assert len(checks) == 4  # each customer and a page of its subscribers...
    assert sum(active in r["query"] for r in checks) == 2  # ...the sub-partner's two acting for it


def test_a_customer_that_cannot_be_read_is_a_finding_and_the_others_are_still_checked(state_db, webex):
    onboard(webex, state_db, "vanished-1")
    onboard(webex, state_db, "healthy-2")
    webex.reset()  # Webex forgets everything: every customer is gone

    summary = check_health(state_db, SETTINGS)

    assert set(found(state_db)) == {("vanished-1", "unreadable"), ("healthy-2", "unreadable")}
    assert (
        "404" in found(state_db)[("vanished-1", "unreadable")]["summary"]
        or "not found" in found(state_db)[("vanished-1", "unreadable")]["summary"].lower()
    )
    assert summary["customers"] == 2


def test_a_run_still_running_too_long_after_it_started_is_a_finding(state_db, webex):
    from webex_wholesale.state.runs import record_run_start

    record_run_start(state_db, "webex_wholesale_onboarding", "manual__stuck", "slow-1", "Slow Inc")

    check_health(state_db, HealthSettings(stuck_after=timedelta(0)))
    (row,) = open_findings(state_db)
    assert (row["external_id"], row["kind"], row["subject"]) == ("slow-1", "stuck_run", "manual__stuck")

    check_health(state_db, HealthSettings(stuck_after=timedelta(hours=1)), now=utcnow())
    assert open_findings(state_db) == []


def test_one_message_per_new_finding_none_for_a_persisting_one_and_one_when_resolved(state_db, webex, inbox, space):
    order, customer_id = onboard(webex, state_db, "drifting-1")
    onboard(webex, state_db, "held-rpl-review-2")

    check_health(state_db, SETTINGS)
    assert notify_findings(state_db) == {"opened": 1, "resolved": 0, "channels": 2}
    assert [m["Subject"] for m in inbox.messages] == [
        "Webex Wholesale: Acme Dental Group (held-rpl-review-2): health finding"
    ]
    (message,) = space.state()["messages"]
    assert "Held for Denied Party List review" in message["markdown"]
    assert "/wholesale/orders/2" in message["markdown"]

    intruder = {**order["subscribers"][1], "email": "intruder@drifting-1.example.com"}
    add_subscriber(webex, customer_id, intruder)
    check_health(state_db, SETTINGS)
    notify_findings(state_db)
    check_health(state_db, SETTINGS)  # nothing changed: the two findings persist, nobody is told again
    notify_findings(state_db)
    assert len(inbox.messages) == 2
    drift_mail = inbox.html(1)
    assert "drifting-1" in inbox.messages[1]["Subject"]
    assert "not in the order: intruder@drifting-1.example.com" in drift_mail
    assert "queue the repairing change order" in drift_mail

    held = api(webex).get(f"{webex.base_url}/wholesale/subscribers", params={"email": intruder["email"]}, timeout=10)
    api(webex).delete(f"{webex.base_url}/wholesale/subscribers/{held.json()['items'][0]['id']}", timeout=10)
    check_health(state_db, SETTINGS)
    notify_findings(state_db)

    assert len(inbox.messages) == 3
    assert inbox.messages[2]["Subject"] == "Webex Wholesale: Acme Dental Group (drifting-1): health finding resolved"
    assert len(space.state()["messages"]) == 3
    assert all(webex.token not in raw for raw in inbox.raw)
    assert all(webex.token not in m["markdown"] for m in space.state()["messages"])


def test_with_no_channel_configured_findings_are_kept_and_nothing_fails(state_db, webex, caplog):
    onboard(webex, state_db, "held-rpl-review-3")
    check_health(state_db, SETTINGS)

    with caplog.at_level(logging.DEBUG):
        assert notify_findings(state_db) == {"opened": 1, "resolved": 0, "channels": 0}

    assert len(open_findings(state_db)) == 1
    assert webex.state()["messages"] == []
    assert webex.token not in caplog.text


def test_every_customer_of_the_partner_is_checked_only_when_asked(state_db, webex):
    onboard(webex, state_db, "ours-1")
    stranger = {"provisioningId": "demo-us-all", "packages": ["webex_meetings"], "externalId": "theirs-rpl-review-1"}
    order = order_data("theirs-rpl-review-1")
    created = api(webex).post(
        f"{webex.base_url}/wholesale/customers",
        json={**stranger, "address": order["address"], "customerInfo": order["customerInfo"]},
        timeout=10,
    )
    assert settled_status(api(webex), created.headers["Location"]) == "pending_rpl_review"

    assert check_health(state_db, SETTINGS)["customers"] == 1
    assert open_findings(state_db) == []

    summary = check_health(state_db, HealthSettings(consent_grace=timedelta(0), every_customer=True))

    assert summary["customers"] == 2
    assert set(found(state_db)) == {("theirs-rpl-review-1", "pending_rpl_review")}


def test_a_user_moved_and_a_package_dropped_by_hand_are_drift(state_db, webex):
    order, customer_id = onboard(webex, state_db, "handmade-1")
    session = api(webex)
    meetings_user = order["subscribers"][1]["email"]  # on webex_meetings in the order
    held = session.get(f"{webex.base_url}/wholesale/subscribers", params={"email": meetings_user}, timeout=10).json()
    moved = session.put(
        f"{webex.base_url}/wholesale/subscribers/{held['items'][0]['id']}",
        json={"packages": ["webex_suite"], "provisioningParameters": {"extension": "1099"}},
        timeout=10,
    )
    assert moved.status_code == 200, moved.text
    customer_url = f"{webex.base_url}/wholesale/customers/{customer_id}"
    kept = [p for p in order["packages"] if p != "webex_calling"]
    dropped = session.put(customer_url, json={"packages": kept, "address": order["address"]}, timeout=10)
    assert dropped.status_code == 202, dropped.text
    assert settled_status(session, customer_url) == "provisioned"

    check_health(state_db, SETTINGS)

    drift = found(state_db)[("handmade-1", "drift")]["details"]
    assert drift["otherPackage"] == [{"email": meetings_user, "held": "webex_suite", "ordered": "webex_meetings"}]
    assert drift["packagesMissing"] == ["webex_calling"]
    assert (drift["missing"], drift["notOrdered"], drift["packagesNotOrdered"]) == ([], [], [])
