"""The asynchronous customer lifecycle: 202 + Location, statuses over time, configured outcomes, update, delete."""

from __future__ import annotations

import time

import pytest
from sim_payloads import customer_body, wait_for_status


def test_provision_answers_202_with_location_then_provisioning_then_provisioned_with_org_id(api, simulator, sim_clock):
    with sim_clock.stopped():
        response = api.post(f"{simulator.base_url}/wholesale/customers", json=customer_body(), timeout=5)
        first = api.get(response.headers["Location"], timeout=5).json()

    assert response.status_code == 202
    location = response.headers["Location"]
    assert response.json() == {"url": location}
    customer_id = location.rsplit("/", 1)[1]
    assert location == f"{simulator.base_url}/wholesale/customers/{customer_id}"
    assert first["status"] == "provisioning"
    assert "orgId" not in first
    assert {p["status"] for p in first["resourceDetails"]["packages"]} == {"provisioning"}
    done = wait_for_status(api, location, "provisioned")
    assert done["status"] == "provisioned"
    assert done["id"] == customer_id
    assert done["orgId"]
    assert done["resourceDetails"]["packages"] == [
        {"name": "webex_calling", "status": "provisioned"},
        {"name": "webex_meetings", "status": "provisioned"},
    ]


@pytest.mark.parametrize(
    ("external_id", "status"),
    [
        ("acme-partial-error-1", "provisioned_with_errors"),
        ("acme-provision-error-1", "error"),
        ("acme-rpl-review-1", "pending_rpl_review"),
    ],
)
def test_external_id_patterns_choose_the_terminal_status(api, simulator, external_id, status):
    location = api.post(
        f"{simulator.base_url}/wholesale/customers", json=customer_body(externalId=external_id), timeout=5
    ).headers["Location"]

    customer = wait_for_status(api, location, status)

    assert customer["status"] == status
    packages = {p["name"]: p for p in customer["resourceDetails"]["packages"]}
    if status == "provisioned_with_errors":
        assert customer["orgId"]
        assert packages["webex_calling"]["status"] == "error"
        assert packages["webex_calling"]["warnings"][0]["errorCode"] == 2560
        assert packages["webex_meetings"]["status"] == "provisioned"
    elif status == "error":
        assert "orgId" not in customer
        assert [e["errorCode"] for e in customer["errors"]] == [2560]
    else:
        assert "orgId" not in customer


def test_patterns_are_configurable(api_factory):
    api, sim = api_factory(error_pattern="*boom*")

    location = api.post(f"{sim.base_url}/wholesale/customers", json=customer_body(externalId="x-BOOM-1"), timeout=5)

    assert wait_for_status(api, location.headers["Location"], "error")["status"] == "error"


def test_update_answers_202_goes_updating_then_back_to_a_terminal_status(api, simulator, customer, sim_clock):
    url = f"{simulator.base_url}/wholesale/customers/{customer['id']}"

    with sim_clock.stopped():
        response = api.put(url, json={"packages": ["webex_calling", "webex_meetings", "webex_suite"]}, timeout=5)
        during = api.get(url, timeout=5).json()

    assert response.status_code == 202
    assert response.headers["Location"] == url
    assert response.json() == {"url": url}
    assert during["status"] == "updating"
    done = wait_for_status(api, url, "provisioned")
    assert done["packages"] == ["webex_calling", "webex_meetings", "webex_suite"]


def test_update_while_provisioning_is_a_conflict(api, simulator, sim_clock):
    with sim_clock.stopped():
        location = api.post(f"{simulator.base_url}/wholesale/customers", json=customer_body(), timeout=5).headers[
            "Location"
        ]
        response = api.put(location, json={"packages": ["webex_meetings"]}, timeout=5)

    assert response.status_code == 409


def test_delete_answers_202_then_deleting_then_404(api, simulator, customer, sim_clock):
    url = f"{simulator.base_url}/wholesale/customers/{customer['id']}"

    with sim_clock.stopped():
        response = api.delete(url, timeout=5)
        during = api.get(url, timeout=5).json()

    assert response.status_code == 202
    assert response.content == b""
    assert during["status"] == "deleting"
    deadline = time.monotonic() + 5
    while api.get(url, timeout=5).status_code != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.get(url, timeout=5).status_code == 404
    assert simulator.state()["customers"] == []


def test_license_ids_only_when_asked(api, simulator, customer):
    url = f"{simulator.base_url}/wholesale/customers/{customer['id']}"

    plain = api.get(url, timeout=5).json()
    detailed = api.get(url, params={"includePackageLicenseInfo": "true"}, timeout=5).json()

    assert all("licenseIds" not in p for p in plain["resourceDetails"]["packages"])
    assert all(p["licenseIds"] for p in detailed["resourceDetails"]["packages"])


def test_list_filters_by_external_id_and_status(api, simulator, customer, sim_clock):
    url = f"{simulator.base_url}/wholesale/customers"
    with sim_clock.stopped():
        api.post(url, json=customer_body(), timeout=5)  # still provisioning
        by_external_id = api.get(url, params={"externalId": customer["externalId"]}, timeout=5).json()["items"]
        provisioned = api.get(url, params={"status": "provisioned"}, timeout=5).json()["items"]
        either = api.get(url, params={"status": "provisioning,provisioned"}, timeout=5).json()["items"]
        bad = api.get(url, params={"status": "sleeping"}, timeout=5)

    assert [c["id"] for c in by_external_id] == [customer["id"]]
    assert [c["id"] for c in provisioned] == [customer["id"]]
    assert len(either) == 2
    assert bad.status_code == 400
