"""The typed API of WebexWholesaleHook against requests-mock: models, ids, the UI form, test_connection."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from helpers.hook_helpers import (
    BASE,
    CUSTOMERS,
    OK_LIST,
    SUBSCRIBERS,
)

from webex_wholesale.exceptions import (
    WebexWholesaleError,
)
from webex_wholesale.hooks.wholesale import WebexWholesaleHook

# --------------------------------------------------------------------------- class attributes and UI


def test_provider_attributes():
    assert WebexWholesaleHook.conn_type == "webex_wholesale"
    assert WebexWholesaleHook.conn_name_attr == "webex_wholesale_conn_id"
    assert WebexWholesaleHook.default_conn_name == "webex_wholesale_default"
    assert WebexWholesaleHook.hook_name == "Webex Wholesale"


def test_ui_field_behaviour():
    behaviour = WebexWholesaleHook.get_ui_field_behaviour()
    assert set(behaviour["hidden_fields"]) == {"schema", "port", "login"}
    assert behaviour["relabeling"] == {"host": "API base URL", "password": "Access token"}
    for key in ("client_id", "client_secret", "refresh_token", "token_url", "requests_per_second"):
        assert key in behaviour["placeholders"]["extra"]


def test_provider_info_points_at_this_hook():
    from webex_wholesale import get_provider_info

    (conn_type,) = get_provider_info()["connection-types"]
    assert conn_type["connection-type"] == WebexWholesaleHook.conn_type
    module, _, name = conn_type["hook-class-name"].rpartition(".")
    assert getattr(__import__(module, fromlist=[name]), name) is WebexWholesaleHook


# --------------------------------------------------------------------------- responses


def test_provision_customer_returns_id_from_location(hook, requests_mock):
    requests_mock.post(
        CUSTOMERS,
        status_code=202,
        headers={"Location": f"{CUSTOMERS}/Y2lzY29zcGFyazovL3VzL0NVU1RPTUVSLzE"},
        json={"url": f"{CUSTOMERS}/Y2lzY29zcGFyazovL3VzL0NVU1RPTUVSLzE"},
    )
    assert hook.provision_customer({"externalId": "acme"}) == "Y2lzY29zcGFyazovL3VzL0NVU1RPTUVSLzE"
    assert requests_mock.last_request.json() == {"externalId": "acme"}


def test_provision_customer_falls_back_to_body_url(hook, requests_mock):
    requests_mock.post(CUSTOMERS, status_code=202, json={"url": f"{CUSTOMERS}/c9"})
    assert hook.provision_customer({}) == "c9"


def test_provision_customer_without_location(hook, requests_mock):
    requests_mock.post(CUSTOMERS, status_code=202, text="")
    with pytest.raises(WebexWholesaleError, match="without a Location"):
        hook.provision_customer({})


def test_update_and_delete_customer(hook, requests_mock):
    requests_mock.put(f"{CUSTOMERS}/c1", status_code=202, headers={"Location": f"{CUSTOMERS}/c1"}, json={})
    requests_mock.delete(f"{CUSTOMERS}/c1", status_code=202)
    assert hook.update_customer("c1", {"packages": ["common_area_calling"]}) == "c1"
    assert hook.delete_customer("c1") is None


# --------------------------------------------------------------------------- test_connection


def test_test_connection_success(hook, requests_mock):
    requests_mock.get(CUSTOMERS, **OK_LIST)
    ok, message = hook.test_connection()
    assert ok, message
    assert parse_qs(requests_mock.last_request.query) == {"max": ["1"]}


def test_test_connection_failure_does_not_retry(hook, requests_mock, waits):
    requests_mock.get(CUSTOMERS, status_code=503, reason="Service Unavailable")
    ok, message = hook.test_connection()
    assert not ok
    assert "503" in message
    assert requests_mock.call_count == 1
    assert waits == []


# --------------------------------------------------------------------------- typed methods

CUSTOMER = {"id": "c1", "externalId": "acme-001", "status": "provisioning", "packages": ["webex_calling"]}
SUBSCRIBER = {"id": "s1", "email": "ann@example.com", "customerId": "c1", "packages": ["webex_calling"]}


def test_list_customers_filters_and_models(hook, requests_mock):
    requests_mock.get(CUSTOMERS, json={"items": [CUSTOMER, {**CUSTOMER, "id": "c2", "status": "provisioned"}]})
    customers = hook.list_customers(external_id="acme-001", org_id="o1", status=["provisioned", "error"])
    assert [c.id for c in customers] == ["c1", "c2"]
    assert customers[1].status.is_terminal()
    assert parse_qs(requests_mock.last_request.query, keep_blank_values=True) == {
        "externalid": ["acme-001"],
        "orgid": ["o1"],
        "status": ["provisioned,error"],
        "max": ["100"],
    }


def test_find_customer_by_external_id_requires_an_exact_match(hook, requests_mock):
    requests_mock.get(CUSTOMERS, json={"items": [{**CUSTOMER, "externalId": "ACME-001"}, CUSTOMER]})
    assert hook.find_customer_by_external_id("acme-001").id == "c1"
    requests_mock.get(CUSTOMERS, json={"items": []})
    assert hook.find_customer_by_external_id("acme-001") is None


def test_get_customer(hook, requests_mock):
    requests_mock.get(f"{CUSTOMERS}/c1", json={**CUSTOMER, "status": "provisioned", "orgId": "o1"})
    customer = hook.get_customer("c1", include_package_license_info=True)
    assert (customer.id, customer.org_id, customer.status) == ("c1", "o1", "provisioned")
    assert parse_qs(requests_mock.last_request.query) == {"includepackagelicenseinfo": ["true"]}
    hook.get_customer("c1")
    assert requests_mock.last_request.query == ""


def test_get_customer_with_a_body_that_is_not_json(hook, requests_mock):
    requests_mock.get(f"{CUSTOMERS}/c1", text="<html>maintenance</html>")
    with pytest.raises(WebexWholesaleError, match="without the expected JSON object"):
        hook.get_customer("c1")


def test_prechecks(hook, requests_mock):
    answer = {"message": "success", "info": [{"infoCode": 100, "description": "Precheck succeeded"}]}
    requests_mock.post(f"{CUSTOMERS}/validate", json=answer)
    requests_mock.post(f"{SUBSCRIBERS}/validate", json={"message": "success", "info": {"infoCode": 100}})
    assert hook.precheck_customer({"address": {}}).info[0].info_code == 100
    assert hook.precheck_subscriber({"email": "a@example.com"}).info[0].info_code == 100


def test_list_subscribers_filters(hook, requests_mock):
    requests_mock.get(SUBSCRIBERS, json={"items": [{**SUBSCRIBER, "status": "provisioned"}]})
    (subscriber,) = hook.list_subscribers(
        customer_id="c1", email="ann@example.com", external_customer_id="acme-001", person_id="p1", status="provisioned"
    )
    assert subscriber.status == "provisioned"
    assert parse_qs(requests_mock.last_request.query) == {
        "customerid": ["c1"],
        "email": ["ann@example.com"],
        "externalcustomerid": ["acme-001"],
        "personid": ["p1"],
        "status": ["provisioned"],
        "max": ["100"],
    }


@pytest.mark.parametrize(("code", "status"), [(200, "provisioned"), (202, "pending_user_migration")])
def test_provision_subscriber_returns_both_outcomes(hook, requests_mock, code, status):
    requests_mock.post(
        SUBSCRIBERS, status_code=code, json={**SUBSCRIBER, "status": status}, headers={"Location": f"{SUBSCRIBERS}/s1"}
    )
    subscriber = hook.provision_subscriber({"customerId": "c1", "email": "ann@example.com"})
    assert (subscriber.id, subscriber.status) == ("s1", status)


def test_get_update_delete_subscriber(hook, requests_mock):
    requests_mock.get(f"{SUBSCRIBERS}/s1", json={**SUBSCRIBER, "status": "provisioned"})
    requests_mock.put(f"{SUBSCRIBERS}/s1", json={**SUBSCRIBER, "status": "provisioned", "packages": ["webex_suite"]})
    requests_mock.delete(f"{SUBSCRIBERS}/s1", status_code=204)
    assert hook.get_subscriber("s1").email == "ann@example.com"
    assert hook.update_subscriber("s1", {"packages": ["webex_suite"]}).packages == ["webex_suite"]
    assert requests_mock.last_request.json() == {"packages": ["webex_suite"]}
    hook.delete_subscriber("s1")
    assert requests_mock.last_request.method == "DELETE"


def test_list_sub_partners(hook, requests_mock):
    requests_mock.get(
        f"{BASE}/wholesale/subPartners", json={"subPartners": [{"orgId": "o1", "provisioningState": "active"}]}
    )
    (sub_partner,) = hook.list_sub_partners(provisioning_state="active")
    assert (sub_partner.org_id, sub_partner.provisioning_state) == ("o1", "active")
    assert parse_qs(requests_mock.last_request.query) == {"provisioningstate": ["active"], "max": ["100"]}


def test_connection_form_in_the_airflow_ui():
    """The API server builds the connection form from the provider info (no FAB, no hook import)."""
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    (meta,) = [m for m in HookMetaService.hook_meta_data() if m.connection_type == "webex_wholesale"]
    assert meta.hook_name == "Webex Wholesale"
    fields = meta.standard_fields
    assert fields.host.title == "API base URL"
    assert fields.host.placeholder == "https://webexapis.com/v1"
    assert fields.password.title == "Access token"
    assert fields.login.hidden
    assert fields.port.hidden
    assert fields.url_schema.hidden
