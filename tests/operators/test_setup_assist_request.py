"""build_setup_assist_request (pure) and how the Setup Assist delivery maps channel answers to errors."""

from __future__ import annotations

import json

import pytest
from wholesale_op_helpers import DEMO_ORDER, context, order_with, setup_assist_request

CUSTOMER = {"id": "cust-1", "orgId": "org-1", "status": "provisioned", "externalId": "acme-dental-0001"}


def test_request_before_the_customer_exists_leaves_its_ids_empty_and_keeps_the_key_order():
    from webex_wholesale.operators import for_customer

    draft = setup_assist_request(DEMO_ORDER)
    request = for_customer(draft, CUSTOMER)

    assert (draft["requestKey"], draft["customerId"], draft["orgId"], draft["customerStatus"]) == (None,) * 4
    assert list(request) == list(draft)


def test_request_from_the_demo_order():
    from webex_wholesale.operators import for_customer

    request = for_customer(setup_assist_request(DEMO_ORDER), CUSTOMER)

    assert request == {
        "requestType": "webex_wholesale_setup_assist",
        "requestKey": "acme-dental-0001:cust-1",
        "externalId": "acme-dental-0001",
        "provisioningId": "demo-us-all",
        "customerName": "Acme Dental Group",
        "customerId": "cust-1",
        "orgId": "org-1",
        "customerStatus": "provisioned",
        "onBehalfOfSubPartnerOrgId": None,
        "billingAddress": DEMO_ORDER["address"],
        "callingLocation": {
            "name": "Head Office",
            "address": DEMO_ORDER["provisioningParameters"]["calling"]["location"]["address"],
            "timezone": "America/Los_Angeles",
        },
        "packages": ["webex_calling", "webex_meetings", "webex_suite"],
        "userCounts": {"webex_calling": 2, "webex_meetings": 1, "webex_suite": 1},
        "totalUsers": 4,
        "adminEmail": "it-admin@acme-dental.example.com",
        "primaryEmail": "it-admin@acme-dental.example.com",
        "contact": {"name": "Dana Admin", "email": "it-admin@acme-dental.example.com", "phone": "+14085550100"},
        "preferredLanguage": "en_US",  # from customerInfo when setupAssistance names none
        "notes": "Two front-desk phones to be delivered to Head Office.",
    }
    assert json.loads(json.dumps(request)) == request


def test_request_without_calling_location_and_with_explicit_language():
    from webex_wholesale.operators import for_customer

    order = order_with(
        packages=["webex_meetings"],
        provisioningParameters={"meetings": {"timezone": "Europe/London"}},
        subscribers=[
            {
                "email": "a@example.com",
                "packages": ["webex_meetings"],
                "provisioningParameters": {"firstName": "A", "lastName": "B"},
            }
        ],
        setupAssistance={"contactName": "C", "contactEmail": "c@example.com", "preferredLanguage": "fr"},
    )

    request = for_customer(setup_assist_request(order), {"id": "cust-2"})

    assert request["callingLocation"] is None
    assert request["customerId"] == "cust-2"
    assert request["orgId"] is None
    assert request["userCounts"] == {"webex_meetings": 1}
    assert request["preferredLanguage"] == "fr"
    assert request["contact"] == {"name": "C", "email": "c@example.com", "phone": None}


def test_request_rejects_a_customer_without_id():
    from webex_wholesale.operators import WebexInvalidInputError, for_customer

    with pytest.raises(WebexInvalidInputError):
        for_customer(setup_assist_request(DEMO_ORDER), {"orgId": "o"})


@pytest.fixture
def channel(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT",
        json.dumps({"conn_type": "http", "host": "http://intake.example.com/setup-assist/v1"}),
    )
    return "http://intake.example.com/setup-assist/v1/requests"


def run_operator():
    from webex_wholesale.operators import WebexSetupAssistanceOperator

    op = WebexSetupAssistanceOperator(task_id="sa", request=setup_assist_request(order_with()), customer=CUSTOMER)
    return op.execute(context())


def test_4xx_answer_is_a_permanent_typed_error(channel, requests_mock):
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.operators import WebexSetupAssistRejectedError

    requests_mock.post(channel, status_code=422, reason="Unprocessable", json={"error": "contact missing"})

    with pytest.raises(WebexSetupAssistRejectedError) as info:
        run_operator()

    assert isinstance(info.value, AirflowFailException)
    assert info.value.http_status == 422
    assert "contact missing" in str(info.value)


def test_5xx_answer_is_retryable(channel, requests_mock):
    from airflow.sdk.exceptions import AirflowFailException

    from webex_wholesale.operators import WebexSetupAssistDeliveryError

    requests_mock.post(channel, status_code=503, reason="Service Unavailable", text="down")

    with pytest.raises(WebexSetupAssistDeliveryError) as info:
        run_operator()
    assert not isinstance(info.value, AirflowFailException)


def test_no_answer_is_retryable(channel, requests_mock):
    import requests

    from webex_wholesale.operators import WebexSetupAssistDeliveryError

    requests_mock.post(channel, exc=requests.exceptions.ConnectTimeout)

    with pytest.raises(WebexSetupAssistDeliveryError, match="no answer"):
        run_operator()


def test_delivery_sends_json_with_a_timeout(channel, requests_mock):
    requests_mock.post(channel, status_code=201, reason="Created", json={"id": "SA-7"})

    result = run_operator()

    assert result["reference"] == "SA-7"
    sent = requests_mock.request_history[0]
    assert sent.json() == result["request"]
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.timeout == 30.0
