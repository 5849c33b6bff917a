"""Subscriber rules and operations: provision 200/202, one package, calling details, duplicates, admin, PUT, DELETE."""

from __future__ import annotations

import pytest
from sim_payloads import customer_body, subscriber_body, wait_for_status


@pytest.fixture(scope="module")
def simulator(module_simulator):
    """One simulator for the module: every test uses its own customer and unique emails."""
    return module_simulator


@pytest.fixture
def subscribers_url(simulator) -> str:
    return f"{simulator.base_url}/wholesale/subscribers"


@pytest.fixture
def provision(api, subscribers_url):
    return lambda body: api.post(subscribers_url, json=body, timeout=5)


def test_provision_answers_200_provisioned_with_person_id_and_location(provision, customer, subscribers_url):
    body = subscriber_body(customer["id"], email="Riley.Front@acme.example.com")

    response = provision(body)

    assert response.status_code == 200
    subscriber = response.json()
    assert response.headers["Location"] == f"{subscribers_url}/{subscriber['id']}"
    assert subscriber["status"] == "provisioned"
    assert subscriber["personId"]
    assert subscriber["email"] == "Riley.Front@acme.example.com"
    assert subscriber["customerId"] == customer["id"]
    assert subscriber["externalCustomerId"] == customer["externalId"]
    assert subscriber["packages"] == ["webex_calling"]
    assert subscriber["package"] == "webex_calling"


def test_email_matching_the_migration_pattern_answers_202_pending_without_person_id(provision, customer):
    response = provision(subscriber_body(customer["id"], email="please-migrate-me@acme.example.com"))

    assert response.status_code == 202
    assert response.headers["Location"].endswith(response.json()["id"])
    assert response.json()["status"] == "pending_user_migration"
    assert "personId" not in response.json()


def test_first_provisioned_subscriber_is_recorded_as_administrator(provision, customer, simulator):
    provision(subscriber_body(customer["id"], email="waiting-migrate@acme.example.com"))  # pending: not an admin
    first = provision(subscriber_body(customer["id"], email="boss@acme.example.com"))
    provision(subscriber_body(customer["id"], email="second@acme.example.com"))

    assert first.status_code == 200
    assert simulator.state()["admins"][customer["id"]] == "boss@acme.example.com"


def test_customer_must_exist_and_be_provisioned(api, provision, simulator, sim_clock):
    assert provision(subscriber_body("no-such-customer")).status_code == 404
    with sim_clock.stopped():
        location = api.post(f"{simulator.base_url}/wholesale/customers", json=customer_body(), timeout=5).headers[
            "Location"
        ]
        customer_id = location.rsplit("/", 1)[1]
        still_provisioning = provision(subscriber_body(customer_id))
    wait_for_status(api, location, "provisioned")
    once_provisioned = provision(subscriber_body(customer_id))

    assert still_provisioning.status_code == 409
    assert "provisioning" in still_provisioning.json()["message"]
    assert once_provisioned.status_code == 200


def test_a_customer_provisioned_with_errors_takes_subscribers(api, provision, simulator):
    location = api.post(
        f"{simulator.base_url}/wholesale/customers", json=customer_body(externalId="x-partial-error-9"), timeout=5
    ).headers["Location"]
    customer = wait_for_status(api, location, "provisioned_with_errors")

    assert provision(subscriber_body(customer["id"])).status_code == 200


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"packages": ["webex_calling", "webex_meetings"]}, "exactly one"),
        ({"packages": []}, "packages"),
        ({"packages": ["webex_teleport"]}, "webex_teleport"),
        ({"package": "webex_calling"}, "not both"),  # packages is already there
        ({"packages": None, "package": "attendant_console"}, "package"),  # not a legacy value
        ({"packages": None}, "packages"),
        ({"email": None}, "email"),
        ({"email": "nobody"}, "email"),
        ({"customerId": None}, "customerId"),
        ({"provisioningParameters": None}, "provisioningParameters"),
        ({"provisioningParameters": {"lastName": "Front", "extension": "1002"}}, "firstName"),
        ({"provisioningParameters": {"firstName": "Riley", "extension": "1002"}}, "lastName"),
        ({"provisioningParameters": {"firstName": "Riley", "lastName": "Front"}}, "extension"),
        ({"provisioningParameters": {"firstName": "R", "lastName": "F", "primaryPhoneNumber": "555"}}, "E.164"),
        *(
            ({"provisioningParameters": {"firstName": "R", "lastName": "F", "primaryPhoneNumber": number}}, "E.164")
            for number in ("+10005551212", "+1240555121", "+4420794609580", "12405551212")
        ),
        (
            {
                "packages": ["webex_meetings"],
                "provisioningParameters": {"firstName": "R", "lastName": "F", "locationId": "loc-1"},
            },
            "locationId",
        ),
    ],
)
def test_request_rule_broken_is_a_400_naming_it(provision, customer, change, named):
    body = {k: v for k, v in {**subscriber_body(customer["id"]), **change}.items() if v is not None}

    response = provision(body)

    assert response.status_code == 400
    assert named in response.json()["message"]


@pytest.mark.parametrize(
    "body_change",
    [
        {"packages": ["webex_meetings"], "provisioningParameters": {"firstName": "R", "lastName": "F"}},
        {"packages": None, "package": "webex_voice"},
        {"provisioningParameters": {"firstName": "R", "lastName": "F", "primaryPhoneNumber": "+14085550102"}},
        {"provisioningParameters": {"firstName": "R", "lastName": "F", "extension": "12", "locationId": "loc-1"}},
    ],
)
def test_valid_package_variants_are_accepted(provision, customer, body_change):
    body = {k: v for k, v in {**subscriber_body(customer["id"]), **body_change}.items() if v is not None}

    assert provision(body).status_code == 200


def test_attendant_console_needs_a_customer_with_calling_suite_or_cx(api, provision, simulator):
    meetings_only = customer_body(packages=["webex_meetings"])
    del meetings_only["provisioningParameters"]
    location = api.post(f"{simulator.base_url}/wholesale/customers", json=meetings_only, timeout=5).headers["Location"]
    customer = wait_for_status(api, location, "provisioned")

    response = provision(subscriber_body(customer["id"], packages=["attendant_console"]))

    assert response.status_code == 400
    assert "attendant_console" in response.json()["message"]


def test_an_email_already_used_anywhere_is_a_409_with_error_code_10022(api, provision, customer, simulator):
    other = wait_for_status(
        api,
        api.post(f"{simulator.base_url}/wholesale/customers", json=customer_body(), timeout=5).headers["Location"],
        "provisioned",
    )
    assert provision(subscriber_body(customer["id"], email="taken@acme.example.com")).status_code == 200

    again = provision(subscriber_body(other["id"], email="TAKEN@acme.example.com"))

    assert again.status_code == 409
    assert [e["errorCode"] for e in again.json()["errors"]] == [10022]


def test_get_update_and_delete(api, provision, customer, subscribers_url):
    created = provision(
        subscriber_body(
            customer["id"], packages=["webex_meetings"], provisioningParameters={"firstName": "R", "lastName": "F"}
        )
    ).json()
    url = f"{subscribers_url}/{created['id']}"

    assert api.get(url, timeout=5).json() == created
    to_calling_without_number = api.put(url, json={"packages": ["webex_calling"]}, timeout=5)
    to_calling = api.put(
        url, json={"packages": ["webex_calling"], "provisioningParameters": {"extension": "2001"}}, timeout=5
    )
    deleted = api.delete(url, timeout=5)

    assert to_calling_without_number.status_code == 400
    assert to_calling.status_code == 200
    assert to_calling.json()["packages"] == ["webex_calling"]
    assert to_calling.headers["Location"] == url
    assert api.get(url, timeout=5).status_code == 404
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.put(url, json={"packages": ["webex_calling"]}, timeout=5).status_code == 404


def test_list_filters(api, provision, customer, subscribers_url):
    alice = provision(subscriber_body(customer["id"], email="alice@acme.example.com")).json()
    pending = provision(subscriber_body(customer["id"], email="bob-migrate@acme.example.com")).json()

    def ids(**params):
        response = api.get(subscribers_url, params=params, timeout=5)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["items"]]

    assert ids(customerId=customer["id"]) == [alice["id"], pending["id"]]
    assert ids(email="ALICE@acme.example.com") == [alice["id"]]
    assert ids(externalCustomerId=customer["externalId"]) == [alice["id"], pending["id"]]
    assert ids(personId=alice["personId"]) == [alice["id"]]
    assert ids(customerId=customer["id"], status="pending_user_migration") == [pending["id"]]
    assert ids(customerId=customer["id"], sortOrder="DESC") == [pending["id"], alice["id"]]
    assert ids(customerId=customer["id"], sortBy="userCreationTimestamp") == [alice["id"], pending["id"]]
    assert ids(customerId="someone-else") == []
    assert api.get(subscribers_url, params={"status": "deleted"}, timeout=5).status_code == 400


def test_precheck(api, provision, customer, simulator):
    url = f"{simulator.base_url}/wholesale/subscribers/validate"
    provision(subscriber_body(customer["id"], email="existing@acme.example.com"))
    before = len(simulator.state()["subscribers"])

    ok_for_customer = api.post(url, json={"customerId": customer["id"], "email": "new@acme.example.com"}, timeout=5)
    ok_for_template = api.post(
        url,
        json={"provisioningId": "demo-us-all", "customerInfo": {"primaryEmail": "a@b.example.com"}, "email": "n@x.io"},
        timeout=5,
    )
    taken = api.post(url, json={"customerId": customer["id"], "email": "existing@acme.example.com"}, timeout=5)
    unknown_template = api.post(url, json={"provisioningId": "nope", "email": "n@x.io"}, timeout=5)
    neither = api.post(url, json={"email": "n@x.io"}, timeout=5)
    no_number = api.post(
        url,
        json={
            "customerId": customer["id"],
            "email": "n@x.io",
            "packages": ["webex_calling"],
            "provisioningParameters": {"firstName": "A"},
        },
        timeout=5,
    )

    assert ok_for_customer.status_code == 200
    assert ok_for_customer.json()["info"]["infoCode"] == 100
    assert ok_for_template.status_code == 200
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["errorCode"] == 10022
    assert unknown_template.status_code == 400
    assert neither.status_code == 400
    assert no_number.status_code == 400
    assert len(simulator.state()["subscribers"]) == before
