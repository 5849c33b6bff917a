"""The Setup Assist intake, /_sim/state (incl. the request log) and /_sim/reset."""

from __future__ import annotations

import requests
from sim_payloads import subscriber_body


def test_setup_assist_intake_stores_requests_in_order_without_auth(simulator):
    url = f"{simulator.url}/setup-assist/v1/requests"

    first = requests.post(url, json={"customer": "acme", "users": {"webex_calling": 3}}, timeout=5)
    second = requests.post(url, json={"customer": "globex"}, timeout=5)
    listed = requests.get(url, timeout=5).json()["items"]

    assert first.status_code == 201
    assert first.json()["id"] == "SA-000001"
    assert first.json()["receivedAt"].endswith("Z")
    assert second.json()["id"] == "SA-000002"
    assert [(i["id"], i["body"]) for i in listed] == [
        ("SA-000001", {"customer": "acme", "users": {"webex_calling": 3}}),
        ("SA-000002", {"customer": "globex"}),
    ]
    assert listed[0]["receivedAt"] == first.json()["receivedAt"]
    assert simulator.state()["setupAssistRequests"] == listed


def test_setup_assist_redelivery_with_the_same_request_key_is_not_recorded_twice(simulator):
    url = f"{simulator.url}/setup-assist/v1/requests"

    first = requests.post(url, json={"requestKey": "acme:c1", "users": 3}, timeout=5)
    again = requests.post(url, json={"requestKey": "acme:c1", "users": 3}, timeout=5)
    other = requests.post(url, json={"requestKey": "globex:c2"}, timeout=5)

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json() == first.json()
    assert [i["id"] for i in simulator.state()["setupAssistRequests"]] == ["SA-000001", "SA-000002"]


def test_setup_assist_refuses_a_body_that_is_not_a_json_object(simulator):
    response = requests.post(f"{simulator.url}/setup-assist/v1/requests", json=[1, 2], timeout=5)

    assert response.status_code == 400
    assert response.json()["trackingId"]


def test_state_shows_api_shaped_records_admins_and_the_request_log(api, simulator, customer):
    api.post(
        f"{simulator.base_url}/wholesale/subscribers", json=subscriber_body(customer["id"], email="a@b.co"), timeout=5
    )
    api.get(f"{simulator.base_url}/wholesale/subscribers", params={"email": "a@b.co"}, timeout=5)
    requests.get(f"{simulator.base_url}/wholesale/customers", timeout=5)  # 401, logged too

    state = simulator.state()

    assert set(state) == {"customers", "subscribers", "admins", "setupAssistRequests", "messages", "requests"}
    assert [c["id"] for c in state["customers"]] == [customer["id"]]
    assert state["customers"][0]["status"] == "provisioned"
    assert [s["email"] for s in state["subscribers"]] == ["a@b.co"]
    assert state["admins"] == {customer["id"]: "a@b.co"}
    log = state["requests"]
    assert log[0] == {"method": "POST", "path": "/v1/wholesale/customers", "status": 202, "query": ""}
    assert log[-3]["status"] == 200
    assert log[-2] == {"method": "GET", "path": "/v1/wholesale/subscribers", "status": 200, "query": "email=a%40b.co"}
    assert log[-1]["status"] == 401
    assert all(not r["path"].startswith("/_sim") for r in log)


def test_reset_clears_everything(api, simulator, customer):
    requests.post(f"{simulator.url}/setup-assist/v1/requests", json={"x": 1}, timeout=5)

    simulator.reset()

    assert simulator.state() == {
        "customers": [],
        "subscribers": [],
        "admins": {},
        "setupAssistRequests": [],
        "messages": [],
        "requests": [],
    }
    assert api.get(f"{simulator.base_url}/wholesale/customers/{customer['id']}", timeout=5).status_code == 404
