"""Response models read the spec's examples and survive what Webex may add tomorrow."""

from __future__ import annotations

import pytest

from webex_wholesale.models import (
    Customer,
    CustomerStatus,
    PrecheckResult,
    SubPartner,
    Subscriber,
    SubscriberStatus,
)

# Spec examples (webex-wholesale.openapi.json @ 1be8332), copied without the stray quotes of some examples.
GET_CUSTOMER = {
    "id": "Y2lzY29zcGFyazovL3VzL0VOVEVSUFJJU0UvNTJjZjU3NmQtNjBhOC00MDdhLWIyMmMtNDY3YzUxNTkxOTA4",
    "orgId": "Y2lzY29zcGFyazovL3VzL09yZ2FuaXphdGlvbi81MmNmNTc2ZC02MGE4LTQwN2EtYjIyYy00NjdjNTE1OTE5MDk",
    "externalId": "c1677a16-557a-4fb4-b48f-24adde57ec99",
    "address": {
        "addressLine1": "771 Alder Drive",
        "addressLine2": "Cisco Site 5",
        "city": "Milpitas",
        "stateOrProvince": "CA",
        "zipOrPostalCode": "95035",
        "country": "US",
    },
    "status": "provisioned",
    "packages": ["webex_calling"],
    "resourceDetails": {
        "packages": [
            {
                "name": "webex_calling",
                "status": "provisioned",
                "warnings": [
                    {
                        "errorCode": 2560,
                        "description": "One or more Webex Calling services are unavailable due to maintenance, "
                        "unable to start provisioning. Consult status.webex.com and retry later.",
                    }
                ],
                "licenseIds": [
                    "Y2lzY29zcGFyazovL3VzL0xJQ0VOU0UvYjdjNGRlZTgtODZmNi00YzAxLWJkYjMtMTM3MjM2ZWY3NGRmOlNMV0NB"
                ],
            }
        ]
    },
}

PROVISIONED_WITH_ERRORS = {
    "id": "Y2lzY29zcGFyazovL3VzL0VOVEVSUFJJU0UvNTJjZjU3NmQtNjBhOC00MDdhLWIyMmMtNDY3YzUxNTkxOTA4",
    "externalId": "c1677a16-557a-4fb4-b48f-24adde57ec99",
    "status": "provisioned_with_errors",
    "packages": ["common_area_calling", "webex_calling", "webex_meetings"],
    "resourceDetails": {
        "packages": [
            {"name": "common_area_calling", "status": "provisioned"},
            {
                "name": "webex_calling",
                "status": "error",
                "warnings": [{"errorCode": 2560, "description": "Webex Calling under maintenance."}],
            },
            {"name": "webex_meetings", "status": "provisioned"},
        ]
    },
}

PENDING_SUBSCRIBER = {  # the 202 of POST /wholesale/subscribers: no personId yet
    "id": "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9mNWIzNjE4Ny1jOGRkLTQ3MjctOGIyZi1mOWM0NDdmMjkwNDY",
    "email": "johnandersen@acme.com",
    "customerId": "Y2lzY29zcGFyazovL3VzL0NVU1RPTUVSL2Y1YjM2MTg3LWM4ZGQtNDcyNy04YjJmLWY5YzQ0N2YyOTA0Ng",
    "externalCustomerId": "c1677a16-557a-4fb4-b48f-24adde57ec99",
    "package": "webex_calling",
    "status": "pending_user_migration",
    "lastStatusChange": "2021-08-06T02:05:41.791232Z",
    "created": "2021-08-06T02:03:00.062Z",
    "packages": ["webex_calling"],
}

PRECHECK_SUCCESS = {
    "message": "success",
    "info": [{"infoCode": 100, "description": "Provisioning preCheck validation successful."}],
}

SUB_PARTNER = {
    "orgId": "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi85NmFiYzJhYS0zZGNjLTExZTUtYTE1Mi1mZTM0ODE5Y2RjOWE",
    "subscriptionId": "Sub23452345",
    "provisioningState": "active",
    "created": "2023-02-16T14:10:18.855Z",
    "billingStartDate": "2023-02-22T13:43:41.117Z",
}


def as_json(model) -> dict:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_get_customer_example():
    customer = Customer.model_validate(GET_CUSTOMER)

    assert customer.status is CustomerStatus.PROVISIONED
    assert customer.org_id.startswith("Y2lz")
    assert customer.address["city"] == "Milpitas"
    (package,) = customer.package_details
    assert package.warnings[0].error_code == 2560
    assert package.license_ids == GET_CUSTOMER["resourceDetails"]["packages"][0]["licenseIds"]
    assert customer.is_terminal()


def test_provisioned_with_errors_example():
    customer = Customer.model_validate(PROVISIONED_WITH_ERRORS)

    assert customer.is_terminal()
    assert [p.name for p in customer.package_details if p.status == "error"] == ["webex_calling"]
    assert customer.org_id is None


def test_a_customer_knows_its_problems_from_its_errors_and_its_packages():
    customer = Customer.model_validate(
        {
            **PROVISIONED_WITH_ERRORS,
            "errors": [{"errorCode": 2560, "description": "Webex Calling under maintenance."}, {"errorCode": 7}],
        }
    )

    assert customer.problems() == ([2560, 7], ["Webex Calling under maintenance."])  # each once, customer first
    assert customer.problems_text() == (
        "webex_calling (error) warning errorCode 2560: Webex Calling under maintenance.; "
        "customer error errorCode 2560: Webex Calling under maintenance.; customer error errorCode 7: None"
    )
    assert Customer.model_validate({"id": "c", "status": "provisioned"}).problems() == ([], [])


def test_customer_dump_is_camel_case_json_that_parses_back():
    customer = Customer.model_validate(GET_CUSTOMER)
    dumped = as_json(customer)

    assert dumped["resourceDetails"]["packages"][0]["licenseIds"]
    assert dumped["orgId"] == GET_CUSTOMER["orgId"]
    assert Customer.model_validate(dumped) == customer


def test_customer_tolerates_unknown_status_packages_and_fields():
    data = {
        **PROVISIONED_WITH_ERRORS,
        "status": "migrating",
        "packages": ["webex_holo_calling"],
        "billingPlan": {"tier": "gold"},
        "resourceDetails": {"packages": [{"name": "webex_holo_calling", "status": "queued", "eta": 5}]},
    }

    customer = Customer.model_validate(data)

    assert customer.status == "migrating"
    assert not customer.status.is_terminal()
    assert customer.packages == ["webex_holo_calling"]
    dumped = as_json(customer)
    assert dumped["billingPlan"] == {"tier": "gold"}
    assert dumped["status"] == "migrating"
    assert dumped["resourceDetails"]["packages"][0]["eta"] == 5


def test_unknown_status_does_not_become_a_member():
    assert CustomerStatus("migrating").value == "migrating"
    assert "migrating" not in {member.value for member in CustomerStatus}


def test_customer_with_a_package_still_provisioning_is_not_terminal():
    data = {**GET_CUSTOMER, "resourceDetails": {"packages": [{"name": "webex_calling", "status": "provisioning"}]}}

    customer = Customer.model_validate(data)

    assert customer.status.is_terminal()
    assert not customer.is_terminal()


def test_customer_without_resource_details():
    customer = Customer.model_validate({"id": "c1", "status": "provisioning"})

    assert customer.package_details == []
    assert not customer.is_terminal()


CUSTOMER_STATUS_TABLE = [
    # status, terminal, on hold
    ("provisioning", False, False),
    ("updating", False, False),
    ("deleting", False, False),
    ("provisioned", True, False),
    ("provisioned_with_errors", True, False),
    ("error", True, False),
    ("pending_rpl_review", False, True),
    ("something_new", False, False),
]


@pytest.mark.parametrize(("status", "terminal", "on_hold"), CUSTOMER_STATUS_TABLE)
def test_customer_status_kinds(status, terminal, on_hold):
    value = CustomerStatus(status)

    assert (value.is_terminal(), value.is_on_hold()) == (terminal, on_hold)


@pytest.mark.parametrize(
    ("status", "terminal"), [("provisioned", True), ("pending_user_migration", False), ("deactivated", False)]
)
def test_subscriber_status_kinds(status, terminal):
    assert SubscriberStatus(status).is_terminal() is terminal


def test_pending_subscriber_example():
    subscriber = Subscriber.model_validate(PENDING_SUBSCRIBER)

    assert subscriber.status is SubscriberStatus.PENDING_USER_MIGRATION
    assert subscriber.person_id is None
    assert subscriber.packages == ["webex_calling"]
    assert subscriber.last_status_change == "2021-08-06T02:05:41.791232Z"
    assert as_json(subscriber) == {**PENDING_SUBSCRIBER, "errors": []}


def test_subscriber_tolerates_unknown_status_and_package():
    subscriber = Subscriber.model_validate(
        {**PENDING_SUBSCRIBER, "status": "suspended", "packages": ["webex_holo"], "errors": [{"errorCode": 10022}]}
    )

    assert subscriber.status == "suspended"
    assert not subscriber.status.is_terminal()
    assert subscriber.errors[0].error_code == 10022
    assert subscriber.errors[0].description is None


def test_precheck_example_with_info_array():
    result = PrecheckResult.model_validate(PRECHECK_SUCCESS)

    assert result.message == "success"
    assert [(i.info_code, i.description) for i in result.info] == [
        (100, "Provisioning preCheck validation successful.")
    ]
    assert as_json(result) == PRECHECK_SUCCESS


@pytest.mark.parametrize(("info", "codes"), [({"infoCode": 100, "description": "ok"}, [100]), (None, []), ([], [])])
def test_precheck_info_as_object_as_the_schema_says(info, codes):
    result = PrecheckResult.model_validate({"message": "success", "info": info})

    assert [i.info_code for i in result.info] == codes


def test_sub_partner_example():
    sub_partner = SubPartner.model_validate(SUB_PARTNER)

    assert sub_partner.provisioning_state == "active"
    assert sub_partner.subscription_id == "Sub23452345"
    assert as_json(sub_partner) == SUB_PARTNER
