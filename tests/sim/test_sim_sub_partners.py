"""Sub-partners: the list, and onBehalfOfSubPartnerOrgId (visibility, unknown org, suspended sub-partner)."""

from __future__ import annotations

import json

import pytest
from sim_payloads import api_session, customer_body, subscriber_body, wait_for_status

from wholesale_sim.config import SimConfig
from wholesale_sim.testing import running_simulator


@pytest.fixture(scope="module")
def simulator(module_simulator):
    """One simulator for the module (a start per test would dominate the run time)."""
    return module_simulator


@pytest.fixture
def partners(api, simulator) -> dict[str, str]:
    """provisioningState -> orgId of the shipped sub-partners."""
    items = api.get(f"{simulator.base_url}/wholesale/subPartners", timeout=5).json()["items"]
    return {p["provisioningState"]: p["orgId"] for p in items}


def test_list_sub_partners_and_filter_by_state(api, simulator):
    url = f"{simulator.base_url}/wholesale/subPartners"

    everyone = api.get(url, timeout=5).json()["items"]
    suspended = api.get(url, params={"provisioningState": "suspended"}, timeout=5).json()["items"]

    assert {p["provisioningState"] for p in everyone} == {"active", "suspended"}
    assert all(
        set(p) == {"orgId", "subscriptionId", "provisioningState", "created", "billingStartDate"} for p in everyone
    )
    assert [p["provisioningState"] for p in suspended] == ["suspended"]
    assert api.get(url, params={"provisioningState": "gone"}, timeout=5).status_code == 400


def test_records_created_on_behalf_are_visible_only_with_that_parameter(api, simulator, partners):
    simulator.reset()
    on_behalf = {"onBehalfOfSubPartnerOrgId": partners["active"]}
    customers = f"{simulator.base_url}/wholesale/customers"
    response = api.post(customers, params=on_behalf, json=customer_body(), timeout=5)
    assert response.status_code == 202
    location = response.headers["Location"]
    customer = wait_for_status(api, f"{location}?onBehalfOfSubPartnerOrgId={partners['active']}", "provisioned")
    subscriber = api.post(
        f"{simulator.base_url}/wholesale/subscribers", params=on_behalf, json=subscriber_body(customer["id"]), timeout=5
    )
    assert subscriber.status_code == 200
    subscriber_url = f"{simulator.base_url}/wholesale/subscribers/{subscriber.json()['id']}"

    assert api.get(location, timeout=5).status_code == 404
    assert api.get(subscriber_url, timeout=5).status_code == 404
    assert api.get(customers, timeout=5).json()["items"] == []
    assert [c["id"] for c in api.get(customers, params=on_behalf, timeout=5).json()["items"]] == [customer["id"]]
    assert api.get(subscriber_url, params=on_behalf, timeout=5).status_code == 200
    assert (
        api.post(
            f"{simulator.base_url}/wholesale/subscribers", json=subscriber_body(customer["id"]), timeout=5
        ).status_code
        == 404
    )


def test_the_partner_s_own_records_are_not_visible_on_behalf_of_a_sub_partner(api, simulator, partners, customer):
    url = f"{simulator.base_url}/wholesale/customers/{customer['id']}"

    assert api.get(url, params={"onBehalfOfSubPartnerOrgId": partners["active"]}, timeout=5).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "customers"), ("POST", "customers"), ("GET", "subscribers"), ("POST", "subscribers/validate")],
)
def test_an_unknown_sub_partner_org_is_refused_with_403(api, simulator, method, path):
    response = api.request(
        method,
        f"{simulator.base_url}/wholesale/{path}",
        params={"onBehalfOfSubPartnerOrgId": "not-a-sub-partner"},
        json={},
        timeout=5,
    )

    assert response.status_code == 403
    assert "not-a-sub-partner" in response.json()["message"]


def test_a_suspended_sub_partner_cannot_provision_or_update_but_can_read_and_delete(api, simulator, partners):
    suspended = {"onBehalfOfSubPartnerOrgId": partners["suspended"]}
    customers = f"{simulator.base_url}/wholesale/customers"

    provision = api.post(customers, params=suspended, json=customer_body(), timeout=5)
    listing = api.get(customers, params=suspended, timeout=5)
    subscriber = api.post(f"{simulator.base_url}/wholesale/subscribers", params=suspended, json={}, timeout=5)
    unknown_delete = api.delete(f"{customers}/nobody", params=suspended, timeout=5)

    assert provision.status_code == 403
    assert "suspended" in provision.json()["message"]
    assert subscriber.status_code == 403
    assert listing.status_code == 200
    assert unknown_delete.status_code == 404  # allowed to try: the record just is not there


def test_suspension_blocks_updates_of_existing_records_but_not_deletes(tmp_path):
    """A sub-partner suspended after onboarding a customer (state kept across a restart) may delete, not update."""
    org = "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi90ZXN0"
    partners_file = tmp_path / "partners.json"
    state_file = tmp_path / "state.json"
    on_behalf = {"onBehalfOfSubPartnerOrgId": org}

    def config(state: str) -> SimConfig:
        partner = {
            "orgId": org,
            "subscriptionId": "S1",
            "provisioningState": state,
            "created": "",
            "billingStartDate": "",
        }
        partners_file.write_text(json.dumps({"subPartners": [partner]}))
        return SimConfig(token="t", provision_delay=0.1, sub_partners_file=partners_file, state_file=state_file)

    with running_simulator(config("active")) as sim, api_session(sim.token) as api:
        location = api.post(f"{sim.base_url}/wholesale/customers", params=on_behalf, json=customer_body(), timeout=5)
        url = location.headers["Location"]
        assert wait_for_status(api, f"{url}?onBehalfOfSubPartnerOrgId={org}", "provisioned")["status"] == "provisioned"
        path = url.split("/v1", 1)[1]

    with running_simulator(config("suspended")) as sim, api_session(sim.token) as api:
        url = f"{sim.base_url}{path}"
        update = api.put(url, params=on_behalf, json={"packages": ["webex_calling"]}, timeout=5)
        delete = api.delete(url, params=on_behalf, timeout=5)

    assert update.status_code == 403
    assert delete.status_code == 202
