"""Customer request rules on provision and precheck: templates, fields, packages, calling location, duplicates."""

from __future__ import annotations

import copy

import pytest
from sim_payloads import GB_ADDRESS, US_ADDRESS, customer_body, wait_for_status

PRECHECK_OK = {
    "message": "success",
    "info": {"infoCode": 100, "description": "Provisioning preCheck validation successful."},
}


def without(body: dict, dotted: str) -> dict:
    """``body`` minus the field at ``dotted`` (e.g. ``address.city``)."""
    body = copy.deepcopy(body)
    *parents, last = dotted.split(".")
    holder = body
    for key in parents:
        holder = holder[key]
    del holder[last]
    return body


def with_value(body: dict, dotted: str, value) -> dict:
    body = copy.deepcopy(body)
    *parents, last = dotted.split(".")
    holder = body
    for key in parents:
        holder = holder[key]
    holder[last] = value
    return body


@pytest.fixture(scope="module")
def simulator(module_simulator):
    """Rule checks share one simulator per module (unique externalIds keep them independent)."""
    return module_simulator


@pytest.fixture
def provision(api, simulator):
    return lambda body: api.post(f"{simulator.base_url}/wholesale/customers", json=body, timeout=5)


@pytest.fixture
def precheck(api, simulator):
    return lambda body: api.post(f"{simulator.base_url}/wholesale/customers/validate", json=body, timeout=5)


def test_unknown_provisioning_id_is_refused_on_provision_and_precheck_naming_it(provision, precheck):
    body = customer_body(provisioningId="no-such-template")

    for response in (provision(body), precheck(body)):
        assert response.status_code == 400
        assert "'no-such-template'" in response.json()["message"]


def test_packages_outside_the_template_are_refused_on_provision_and_precheck(provision, precheck):
    body = customer_body(
        provisioningId="demo-gb-meetings", address=GB_ADDRESS, packages=["webex_meetings", "webex_calling"]
    )

    for response in (provision(body), precheck(body)):
        assert response.status_code == 400
        message = response.json()["message"]
        assert "webex_calling" in message
        assert "demo-gb-meetings" in message


def test_a_package_the_template_allows_is_accepted(provision):
    body = customer_body(provisioningId="demo-gb-meetings", address=GB_ADDRESS, packages=["webex_meetings"])
    del body["provisioningParameters"]

    assert provision(body).status_code == 202


@pytest.mark.parametrize(
    "dotted",
    [
        "provisioningId",
        "packages",
        "externalId",
        "address",
        "address.addressLine1",
        "address.city",
        "address.country",
        "address.stateOrProvince",
        "address.zipOrPostalCode",
        "customerInfo",
        "customerInfo.name",
        "customerInfo.primaryEmail",
        "provisioningParameters",
        "provisioningParameters.calling.location.name",
        "provisioningParameters.calling.location.address",
        "provisioningParameters.calling.location.timezone",
        "provisioningParameters.calling.location.language",
    ],
)
def test_required_field_missing_is_a_400_naming_it(provision, dotted):
    response = provision(without(customer_body(), dotted))

    assert response.status_code == 400
    field = "provisioningParameters.calling.location" if dotted == "provisioningParameters" else dotted
    assert field in response.json()["message"]


@pytest.mark.parametrize(
    ("dotted", "value", "named"),
    [
        ("address.addressLine1", "x" * 51, "address.addressLine1"),
        ("address.addressLine2", "x" * 51, "address.addressLine2"),
        ("address.country", "USA", "address.country"),
        ("address.country", "U1", "address.country"),
        ("address.country", "XX", "address.country"),
        ("address.country", "ZZ", "address.country"),
        ("address.country", "EU", "address.country"),
        ("provisioningParameters.calling.location.address.country", "XX", "location.address.country"),
        ("customerInfo.name", "100% Dental", "customerInfo.name"),
        ("customerInfo.primaryEmail", "not-an-email", "customerInfo.primaryEmail"),
        ("customerInfo.language", "english", "customerInfo.language"),
        ("customerInfo.language", "en_us", "customerInfo.language"),
        ("customerInfo.language", "xx_YY", "customerInfo.language"),
        ("provisioningParameters.calling.location.language", "xx_yy", "location.language"),
        ("packages", ["webex_calling", "webex_teleport"], "webex_teleport"),
        ("packages", [], "packages"),
        ("packages", ["cisco_calling_plan", "webex_meetings"], "cisco_calling_plan"),
        ("packages", ["attendant_console", "webex_voice"], "attendant_console"),
        ("provisioningParameters.calling.location.timezone", "Mars/Olympus_Mons", "timezone"),
        ("provisioningParameters.calling.location.timezone", "America/Los_Angles", "location.timezone"),
        ("provisioningParameters.calling.location.timezone", "US/Pacific", "location.timezone"),
        ("provisioningParameters.meetings", {"timezone": "America/Los_Angles"}, "meetings.timezone"),
    ],
)
def test_invalid_value_is_a_400_naming_the_field(provision, dotted, value, named):
    response = provision(with_value(customer_body(), dotted, value))

    assert response.status_code == 400
    assert named in response.json()["message"]


def test_a_non_us_address_needs_no_state_or_zip_and_a_50_char_line_is_fine(provision):
    body = customer_body(address={**GB_ADDRESS, "addressLine1": "x" * 50})

    assert provision(body).status_code == 202


def test_add_on_with_its_dependency_is_accepted(provision):
    assert (
        provision(customer_body(packages=["webex_calling", "cisco_calling_plan", "attendant_console"])).status_code
        == 202
    )


def test_an_existing_org_needs_no_customer_info(provision):
    body = without(customer_body(orgId="Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9leGlzdGluZw"), "customerInfo")

    assert provision(body).status_code == 202


def test_meetings_only_needs_no_calling_location(provision):
    body = without(customer_body(packages=["webex_meetings"]), "provisioningParameters")

    assert provision(body).status_code == 202


def test_duplicate_external_id_is_a_409_on_provision_and_precheck(provision, precheck):
    body = customer_body()
    assert provision(body).status_code == 202

    assert provision(body).status_code == 409
    assert precheck(body).status_code == 409


def test_precheck_needs_only_the_address_and_creates_nothing(precheck, simulator):
    minimal = {"address": US_ADDRESS, "customerInfo": {"primaryEmail": "it@acme.example.com"}}
    before = [c["id"] for c in simulator.state()["customers"]]

    for body in (minimal, customer_body()):
        response = precheck(body)
        assert response.status_code == 200
        assert response.json() == PRECHECK_OK
    assert precheck(without(minimal, "address")).status_code == 400
    assert [c["id"] for c in simulator.state()["customers"]] == before


def test_precheck_applies_the_same_rules_to_what_is_given(precheck):
    assert precheck({"address": {**US_ADDRESS, "country": "USA"}}).status_code == 400
    assert precheck({"address": US_ADDRESS, "customerInfo": {"name": "No email"}}).status_code == 400
    assert precheck({"address": US_ADDRESS, "packages": ["webex_calling"]}).status_code == 400  # no calling location


def test_update_refuses_packages_outside_the_template_and_needs_a_calling_location_once(api, simulator):
    body = without(customer_body(packages=["webex_meetings"]), "provisioningParameters")
    location = api.post(f"{simulator.base_url}/wholesale/customers", json=body, timeout=5).headers["Location"]
    wait_for_status(api, location, "provisioned")

    assert api.put(location, json={"packages": ["webex_calling"]}, timeout=5).status_code == 400
    assert api.put(location, json={"packages": ["webex_teleport"]}, timeout=5).status_code == 400
    assert api.put(location, json={}, timeout=5).status_code == 400
    with_location = {"packages": ["webex_calling"], "provisioningParameters": customer_body()["provisioningParameters"]}
    assert api.put(location, json=with_location, timeout=5).status_code == 202
