"""build_setup_assist_request (pure), how the Setup Assist delivery maps channel answers to errors, and the audit
record every delivery leaves (delivered, refused or unanswered)."""

from __future__ import annotations

import json

import pytest
from wholesale_op_helpers import DEMO_ORDER, context, order_with, setup_assist_request

from webex_wholesale.models.states import AuditResult

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


@pytest.fixture
def audit_engine(tmp_path):
    """A migrated state database (SQLite) the operator's audit writer writes to."""
    from webex_wholesale.state import migrate
    from webex_wholesale.state.engine import create_state_engine

    engine = create_state_engine(f"sqlite:///{tmp_path / 'state.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def run_operator(audit_engine=None):
    """Execute the step; with ``audit_engine``, with the audit writer ``pre_execute`` would give it (a run's)."""
    from webex_wholesale.operators import WebexSetupAssistanceOperator
    from webex_wholesale.state.audit import AuditWriter, RunContext

    op = WebexSetupAssistanceOperator(task_id="sa", request=setup_assist_request(order_with()), customer=CUSTOMER)
    if audit_engine is not None:
        op.audit = AuditWriter(audit_engine, RunContext(dag_run_id="run-1", task_id="sa"), batch_size=1)
    return op.execute(context())


def audit_rows(engine) -> list[dict]:
    from sqlalchemy import select

    from webex_wholesale.state.schema import audit_table

    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(select(audit_table)).mappings()]


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


def test_a_delivery_leaves_an_audit_record_with_the_channels_reference(channel, requests_mock, audit_engine):
    requests_mock.post(channel, status_code=201, reason="Created", json={"id": "SA-7"})

    run_operator(audit_engine)

    (row,) = audit_rows(audit_engine)
    assert (row["kind"], row["method"], row["http_status"], row["result"]) == ("api_call", "POST", 201, AuditResult.OK)
    assert row["tracking_id"] == "SA-7"
    assert row["path"] == "webex_setup_assist_default/requests"  # the connection, never its URL
    assert (row["dag_run_id"], row["task_id"]) == ("run-1", "sa")


def test_a_refused_delivery_leaves_an_audit_record_too(channel, requests_mock, audit_engine):
    from webex_wholesale.operators import WebexSetupAssistRejectedError

    requests_mock.post(channel, status_code=422, reason="Unprocessable", json={"error": "contact missing"})

    with pytest.raises(WebexSetupAssistRejectedError):
        run_operator(audit_engine)

    (row,) = audit_rows(audit_engine)
    assert (row["http_status"], row["result"], row["tracking_id"]) == (422, AuditResult.ERROR, None)


def test_an_unanswered_delivery_leaves_an_audit_record_too(channel, requests_mock, audit_engine):
    import requests

    from webex_wholesale.operators import WebexSetupAssistDeliveryError

    requests_mock.post(channel, exc=requests.exceptions.ConnectTimeout)

    with pytest.raises(WebexSetupAssistDeliveryError):
        run_operator(audit_engine)

    (row,) = audit_rows(audit_engine)
    assert (row["http_status"], row["result"]) == (None, AuditResult.NO_RESPONSE)
