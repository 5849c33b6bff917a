"""WebexWholesaleHook against requests-mock: retries, errors, paging, auth, headers, logging, secrets."""

from __future__ import annotations

import pickle
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest
import requests
from airflow.sdk.exceptions import AirflowFailException
from hook_helpers import BASE, TOKEN, api_lines, set_connection

from webex_wholesale.exceptions import (
    WebexAmbiguousWriteError,
    WebexConfigurationError,
    WebexConnectionError,
    WebexPermanentError,
    WebexTransientError,
    WebexWholesaleError,
)
from webex_wholesale.hooks.retry import is_retryable
from webex_wholesale.hooks.wholesale import WebexWholesaleHook

CUSTOMERS = f"{BASE}/wholesale/customers"
SUBSCRIBERS = f"{BASE}/wholesale/subscribers"
OK_LIST = {"json": {"items": []}, "status_code": 200}


def error_body(message="Invalid request", code=None, tracking="ROUTER_1"):
    body = {"message": message, "trackingId": tracking, "errors": [{"description": message}]}
    if code is not None:
        body["errors"][0]["errorCode"] = code
    return body


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


# --------------------------------------------------------------------------- connection


def test_full_url_host_is_used_as_is(hook, requests_mock):
    requests_mock.get(CUSTOMERS, **OK_LIST)
    hook.list_customers_raw = None
    hook._request("GET", "/wholesale/customers")
    assert requests_mock.last_request.url.startswith("https://webex.test/v1/wholesale/customers")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"host": "https://webexapis.com/v1/"}, "https://webexapis.com/v1"),
        ({"host": "webexapis.com/v1"}, "https://webexapis.com/v1"),  # never a silent http://
        ({"host": "127.0.0.1/v1", "schema": "http", "port": 8123}, "http://127.0.0.1:8123/v1"),
        ({"host": "http://127.0.0.1:8123/v1", "port": 9999}, "http://127.0.0.1:8123/v1"),
    ],
)
def test_base_url_building(monkeypatch, fields, expected):
    set_connection(monkeypatch, password=TOKEN, **fields)
    assert WebexWholesaleHook().settings.base_url == expected


def test_connection_is_loaded_once(hook, requests_mock, monkeypatch):
    calls = []
    real = WebexWholesaleHook.get_connection

    def counting(conn_id):
        calls.append(conn_id)
        return real(conn_id)

    monkeypatch.setattr(WebexWholesaleHook, "get_connection", staticmethod(counting))
    requests_mock.get(CUSTOMERS, **OK_LIST)
    for _ in range(3):
        hook._request("GET", "/wholesale/customers")
    assert calls == ["webex_wholesale_default"]


def test_missing_token_names_the_connection(monkeypatch, requests_mock):
    set_connection(monkeypatch, "wx_prod", host=BASE)
    hook = WebexWholesaleHook("wx_prod")
    with pytest.raises(WebexConfigurationError, match=r"'wx_prod' has no access token.*password.*refresh_token"):
        hook._request("GET", "/wholesale/customers")
    assert not requests_mock.called


def test_missing_host_names_the_connection(monkeypatch):
    set_connection(monkeypatch, "wx_nohost", password=TOKEN)
    with pytest.raises(WebexConfigurationError, match=r"'wx_nohost' has no host.*https://webexapis.com/v1"):
        WebexWholesaleHook("wx_nohost").settings  # noqa: B018


def test_bad_host_scheme(monkeypatch):
    set_connection(monkeypatch, "wx_ftp", host="ftp://webexapis.com/v1", password=TOKEN)
    with pytest.raises(WebexConfigurationError, match=r"'wx_ftp'.*not an http"):
        WebexWholesaleHook("wx_ftp").settings  # noqa: B018


def test_unknown_connection(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_WX_MISSING", raising=False)
    with pytest.raises(WebexConfigurationError, match=r"'wx_missing' could not be loaded.*AIRFLOW_CONN_WX_MISSING"):
        WebexWholesaleHook("wx_missing").settings  # noqa: B018


def test_incomplete_oauth_settings(monkeypatch):
    set_connection(monkeypatch, "wx_half", host=BASE, extra={"client_id": "c", "refresh_token": "r"})
    with pytest.raises(WebexConfigurationError, match=r"'wx_half'.*missing client_secret"):
        WebexWholesaleHook("wx_half").settings  # noqa: B018


def test_extras_are_not_sent_as_headers(monkeypatch, requests_mock, waits):
    set_connection(monkeypatch, host=BASE, password=TOKEN, extra={"X-Secret": "nope", "requests_per_second": 50})
    requests_mock.get(CUSTOMERS, **OK_LIST)
    WebexWholesaleHook()._request("GET", "/wholesale/customers")
    assert "X-Secret" not in requests_mock.last_request.headers


def test_run_is_not_supported(hook):
    with pytest.raises(NotImplementedError, match="typed API methods"):
        hook.run("/wholesale/customers")


# --------------------------------------------------------------------------- headers and params


def test_headers(hook, requests_mock):
    requests_mock.post(SUBSCRIBERS, json={"id": "s1"})
    requests_mock.get(CUSTOMERS, **OK_LIST)
    hook._request("POST", "/wholesale/subscribers", json={"email": "a@example.com"})
    hook._request("GET", "/wholesale/customers")
    first, second = requests_mock.request_history
    import webex_wholesale

    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["Accept"] == "application/json"
    assert first.headers["User-Agent"] == f"webex-wholesale-airflow/{webex_wholesale.__version__} (+apache-airflow)"
    assert re.fullmatch(
        r"WWA_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", first.headers["TrackingID"]
    )
    assert first.headers["TrackingID"] != second.headers["TrackingID"]
    assert first.json() == {"email": "a@example.com"}


def test_default_timeout_is_set(hook, requests_mock):
    requests_mock.get(CUSTOMERS, **OK_LIST)
    hook._request("GET", "/wholesale/customers")
    assert requests_mock.last_request.timeout == (10.0, 30.0)


def test_sub_partner_param_on_every_call(make_hook, requests_mock):
    hook = make_hook(on_behalf_of_sub_partner_org_id="SUBORG")
    requests_mock.get(
        CUSTOMERS,
        [
            {"json": {"items": [{"id": "1"}]}, "headers": {"Link": f'<{CUSTOMERS}?offset=1&max=100>; rel="next"'}},
            {"json": {"items": [{"id": "2"}]}},
        ],
    )
    requests_mock.delete(f"{SUBSCRIBERS}/s1", status_code=204)
    assert [c["id"] for c in hook._paginate("/wholesale/customers", {})] == ["1", "2"]
    hook.delete_subscriber("s1")
    for request in requests_mock.request_history:
        assert parse_qs(request.query)["onbehalfofsubpartnerorgid"] == ["suborg"], request.url


def test_ids_are_quoted_as_one_path_segment(hook, requests_mock):
    requests_mock.delete(f"{SUBSCRIBERS}/a%2Fb", status_code=204)
    hook.delete_subscriber("a/b")
    assert requests_mock.called


# --------------------------------------------------------------------------- retries


@pytest.mark.parametrize("status", [429, 423])
def test_retry_after_is_honoured(hook, requests_mock, waits, status):
    requests_mock.get(
        CUSTOMERS,
        [{"status_code": status, "reason": "Slow down", "headers": {"Retry-After": "7"}}, OK_LIST],
    )
    assert hook._request("GET", "/wholesale/customers").status_code == 200
    assert waits == [7.0]
    assert requests_mock.call_count == 2


@pytest.mark.parametrize("status", [429, 423])
def test_retry_after_is_capped(make_hook, requests_mock, waits, status):
    hook = make_hook(max_retry_wait=20)
    requests_mock.get(
        CUSTOMERS, [{"status_code": status, "reason": "Slow down", "headers": {"Retry-After": "3600"}}, OK_LIST]
    )
    hook._request("GET", "/wholesale/customers")
    assert waits == [20.0]


def test_429_without_retry_after_waits_five_seconds(hook, requests_mock, waits):
    requests_mock.get(CUSTOMERS, [{"status_code": 429, "reason": "Too Many Requests"}, OK_LIST])
    hook._request("GET", "/wholesale/customers")
    assert waits == [5.0]


def test_retry_after_as_http_date(hook, requests_mock, waits):
    requests_mock.get(
        CUSTOMERS,
        [
            {"status_code": 429, "reason": "Too Many", "headers": {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}},
            OK_LIST,
        ],
    )
    hook._request("GET", "/wholesale/customers")
    assert waits == [0.0]  # a date in the past: go now


def test_503_then_success(hook, requests_mock, waits):
    requests_mock.get(CUSTOMERS, [{"status_code": 503, "reason": "Service Unavailable"}, OK_LIST])
    assert hook._request("GET", "/wholesale/customers").status_code == 200
    assert len(waits) == 1
    assert 0.25 <= waits[0] <= 0.5


def test_5xx_exhausted_raises_transient_error(make_hook, requests_mock, waits):
    hook = make_hook(max_attempts=5, max_retry_wait=3)
    requests_mock.get(
        CUSTOMERS,
        status_code=502,
        reason="Bad Gateway",
        json=error_body("Upstream unavailable", tracking="ROUTER_X"),
    )
    with pytest.raises(WebexTransientError) as info:
        hook._request("GET", "/wholesale/customers")
    error = info.value
    assert (error.status_code, error.tracking_id, error.message) == (502, "ROUTER_X", "Upstream unavailable")
    assert error.retryable
    assert not isinstance(error, AirflowFailException)
    assert requests_mock.call_count == 5
    # capped exponential backoff with jitter: attempt n waits between half and all of min(3, 0.5 * 2**(n-1))
    caps = [0.5, 1.0, 2.0, 3.0]
    assert len(waits) == 4
    for wait, cap in zip(waits, caps, strict=True):
        assert cap / 2 <= wait <= cap


def test_permanent_400_fails_at_once(hook, requests_mock, waits):
    requests_mock.post(
        f"{CUSTOMERS}/validate",
        status_code=400,
        reason="Bad Request",
        json={
            "message": "Invalid provisioningId",
            "errors": [{"description": "Invalid provisioningId", "errorCode": 4003}],
            "trackingId": "ROUTER_42",
        },
    )
    with pytest.raises(WebexPermanentError) as info:
        hook._request("POST", "/wholesale/customers/validate", json={}, idempotent=True)
    error = info.value
    assert isinstance(error, AirflowFailException)
    assert (error.status_code, error.message, error.error_codes, error.tracking_id) == (
        400,
        "Invalid provisioningId",
        [4003],
        "ROUTER_42",
    )
    assert error.descriptions == ["Invalid provisioningId"]
    assert (error.method, error.path) == ("POST", "/wholesale/customers/validate")
    assert not error.retryable
    assert requests_mock.call_count == 1
    assert waits == []


def test_error_without_json_body_uses_reason_and_tracking_header(hook, requests_mock):
    requests_mock.get(
        f"{CUSTOMERS}/c1", status_code=404, reason="Not Found", text="", headers={"Trackingid": "ROUTER_HDR"}
    )
    with pytest.raises(WebexPermanentError) as info:
        hook._request("GET", "/wholesale/customers/c1")
    assert info.value.message == "Not Found"
    assert info.value.tracking_id == "ROUTER_HDR"
    assert str(info.value) == "Webex API GET /wholesale/customers/c1 answered 404: Not Found (trackingId ROUTER_HDR)"


def test_error_with_html_body(hook, requests_mock):
    requests_mock.get(CUSTOMERS, status_code=403, reason="Forbidden", text="<html><body>Denied</body></html>")
    with pytest.raises(WebexPermanentError, match="answered 403: <html><body>Denied") as info:
        hook._request("GET", "/wholesale/customers")
    assert info.value.tracking_id.startswith("WWA_")  # ours, when Webex gave none


def test_connection_error_then_success_on_get(hook, requests_mock, waits):
    requests_mock.get(CUSTOMERS, [{"exc": requests.exceptions.ConnectionError("reset by peer")}, OK_LIST])
    assert hook._request("GET", "/wholesale/customers").status_code == 200
    assert len(waits) == 1


def test_read_timeouts_exhausted_on_get(make_hook, requests_mock, waits):
    hook = make_hook(max_attempts=3)
    requests_mock.get(CUSTOMERS, exc=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(WebexConnectionError, match=r"GET /wholesale/customers got no answer: ReadTimeout") as info:
        hook._request("GET", "/wholesale/customers")
    # no reference back to the request (and its Authorization header)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    assert requests_mock.call_count == 3
    assert len(waits) == 2


def test_post_read_timeout_is_an_ambiguous_write(hook, requests_mock, waits):
    requests_mock.post(SUBSCRIBERS, exc=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(WebexAmbiguousWriteError) as info:
        hook._request("POST", "/wholesale/subscribers", json={"email": "a@example.com"})
    assert (info.value.method, info.value.path) == ("POST", "/wholesale/subscribers")
    assert info.value.tracking_id.startswith("WWA_")
    assert not is_retryable(info.value)
    assert requests_mock.call_count == 1
    assert waits == []


def test_post_dropped_connection_is_an_ambiguous_write(hook, requests_mock):
    requests_mock.post(CUSTOMERS, exc=requests.exceptions.ConnectionError("Connection aborted"))
    with pytest.raises(WebexAmbiguousWriteError, match="Connection aborted"):
        hook.provision_customer({"externalId": "x"})
    assert requests_mock.call_count == 1


@pytest.mark.parametrize("status", [500, 502, 504])
def test_post_ambiguous_5xx_is_not_retried(hook, requests_mock, status):
    requests_mock.post(SUBSCRIBERS, status_code=status, reason="Error", json=error_body("boom", tracking="R5"))
    with pytest.raises(WebexAmbiguousWriteError) as info:
        hook._request("POST", "/wholesale/subscribers", json={})
    assert info.value.status_code == status
    assert info.value.tracking_id == "R5"
    assert requests_mock.call_count == 1


@pytest.mark.parametrize(
    "first",
    [
        {"status_code": 429, "reason": "Too Many Requests", "headers": {"Retry-After": "1"}},
        {"status_code": 423, "reason": "Locked"},
        {"status_code": 503, "reason": "Service Unavailable"},
        {"exc": requests.exceptions.ConnectTimeout("connect timed out")},
    ],
    ids=["429", "423", "503", "connect-timeout"],
)
def test_post_retried_when_not_processed(hook, requests_mock, first):
    requests_mock.post(SUBSCRIBERS, [first, {"json": {"id": "s1"}, "status_code": 200}])
    assert hook._request("POST", "/wholesale/subscribers", json={}).json() == {"id": "s1"}
    assert requests_mock.call_count == 2


def test_post_refused_connection_is_retried():
    """A refused connection never reached the server: safe to repeat even a POST (real socket, closed port)."""
    from webex_wholesale.hooks.retry import not_sent

    with pytest.raises(requests.ConnectionError) as info:
        requests.post("http://127.0.0.1:9/", timeout=2)
    assert not_sent(info.value)
    assert not not_sent(requests.exceptions.ReadTimeout("x"))
    assert not not_sent(requests.exceptions.ConnectionError("Connection aborted"))


def test_precheck_post_is_retried_on_timeout(hook, requests_mock):
    requests_mock.post(
        f"{SUBSCRIBERS}/validate",
        [{"exc": requests.exceptions.ReadTimeout("x")}, {"json": {"message": "ok", "info": []}}],
    )
    hook._request("POST", "/wholesale/subscribers/validate", json={}, idempotent=True)
    assert requests_mock.call_count == 2


def test_put_is_retried_on_500(hook, requests_mock):
    requests_mock.put(f"{SUBSCRIBERS}/s1", [{"status_code": 500, "reason": "Oops"}, {"json": {"id": "s1"}}])
    hook._request("PUT", "/wholesale/subscribers/s1", json={})
    assert requests_mock.call_count == 2


def test_max_attempts_one_means_no_retry(make_hook, requests_mock, waits):
    hook = make_hook(max_attempts=1)
    requests_mock.get(CUSTOMERS, status_code=503, reason="Service Unavailable")
    with pytest.raises(WebexTransientError):
        hook._request("GET", "/wholesale/customers")
    assert waits == []


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


# --------------------------------------------------------------------------- pagination


def test_link_header_parsing():
    header = '<https://x/v1/a?offset=2&max=2>; rel="next", <https://x/v1/a?offset=0>; rel="first prev"'
    assert parse_link_header(header) == {
        "next": "https://x/v1/a?offset=2&max=2",
        "first": "https://x/v1/a?offset=0",
        "prev": "https://x/v1/a?offset=0",
    }
    assert parse_link_header("") == {}
    assert parse_link_header("<https://x/v1/a,b>;rel=next") == {"next": "https://x/v1/a,b"}


def test_pagination_follows_link_over_three_pages(hook, requests_mock):
    page2 = f"{SUBSCRIBERS}?customerId=c1&max=100&offset=100"
    page3 = f"{SUBSCRIBERS}?customerId=c1&max=100&offset=200"
    requests_mock.get(
        SUBSCRIBERS,
        [
            {"json": {"items": [{"id": f"a{i}"} for i in range(100)]}, "headers": {"Link": f'<{page2}>; rel="next"'}},
            {"json": {"items": [{"id": f"b{i}"} for i in range(100)]}, "headers": {"Link": f'<{page3}>; rel="next"'}},
            {"json": {"items": [{"id": "c0"}]}},
        ],
    )
    items = list(hook._paginate("/wholesale/subscribers", {"customerId": "c1"}))
    assert len(items) == 201
    first, second, third = requests_mock.request_history
    assert parse_qs(first.query) == {"customerid": ["c1"], "max": ["100"]}
    assert second.url == page2
    assert third.url == page3


def test_pagination_follows_relative_link(hook, requests_mock):
    requests_mock.get(
        CUSTOMERS,
        [
            {"json": {"items": [{"id": "1"}]}, "headers": {"Link": '</v1/wholesale/customers?offset=1>; rel="next"'}},
            {"json": {"items": [{"id": "2"}]}},
        ],
    )
    assert [c["id"] for c in hook._paginate("/wholesale/customers", {})] == ["1", "2"]


def test_pagination_by_offset_without_link(hook, requests_mock):
    requests_mock.get(
        SUBSCRIBERS,
        [
            {"json": {"items": [{"id": i} for i in range(100)]}},
            {"json": {"items": [{"id": i} for i in range(100, 200)]}},
            {"json": {"items": [{"id": i} for i in range(200, 237)]}},
        ],
    )
    items = list(hook._paginate("/wholesale/subscribers", {"status": "provisioned"}))
    assert [i["id"] for i in items] == list(range(237))
    offsets = [parse_qs(r.query).get("offset", ["0"])[0] for r in requests_mock.request_history]
    assert offsets == ["0", "100", "200"]
    assert all(parse_qs(r.query)["max"] == ["100"] for r in requests_mock.request_history)


def test_pagination_stops_on_an_empty_page(hook, requests_mock):
    requests_mock.get(SUBSCRIBERS, [{"json": {"items": [{"id": i} for i in range(100)]}}, {"json": {"items": []}}])
    assert len(list(hook._paginate("/wholesale/subscribers", {}))) == 100
    assert requests_mock.call_count == 2


def test_pagination_refuses_foreign_link(hook, requests_mock):
    requests_mock.get(
        CUSTOMERS, json={"items": [{"id": "1"}]}, headers={"Link": '<https://evil.test/v1/x>; rel="next"'}
    )
    with pytest.raises(WebexWholesaleError, match="Refusing to send the access token to"):
        list(hook._paginate("/wholesale/customers", {}))
    assert requests_mock.call_count == 1


def test_pagination_loop_is_detected(hook, requests_mock):
    requests_mock.get(CUSTOMERS, json={"items": [{"id": "1"}]}, headers={"Link": f'<{CUSTOMERS}?offset=1>; rel="next"'})
    with pytest.raises(WebexWholesaleError, match="Pagination loop"):
        list(hook._paginate("/wholesale/customers", {}))


def test_sub_partners_accept_either_list_key(hook, requests_mock):
    requests_mock.get(f"{BASE}/wholesale/subPartners", json={"subPartners": [{"orgId": "o1"}]})
    assert list(hook._paginate("/wholesale/subPartners", {}, items_keys=("items", "subPartners"))) == [{"orgId": "o1"}]


# --------------------------------------------------------------------------- OAuth

OAUTH_EXTRA = {"client_id": "cid", "client_secret": "client-secret-value", "refresh_token": "refresh-token-value"}
TOKEN_URL = f"{BASE}/access_token"


def token_response(token, **more):
    return {"json": {"access_token": token, "expires_in": 1209600, "token_type": "Bearer", **more}}


def test_oauth_obtains_a_token_when_there_is_no_password(monkeypatch, requests_mock, waits):
    set_connection(monkeypatch, host=BASE, extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, **token_response("fresh-access-token"))
    requests_mock.get(CUSTOMERS, **OK_LIST)
    hook = WebexWholesaleHook()
    hook._request("GET", "/wholesale/customers")
    hook._request("GET", "/wholesale/customers")
    token_call, api_call, _ = requests_mock.request_history
    assert parse_qs(token_call.text) == {
        "grant_type": ["refresh_token"],
        "client_id": ["cid"],
        "client_secret": ["client-secret-value"],
        "refresh_token": ["refresh-token-value"],
    }
    assert "Authorization" not in token_call.headers
    assert api_call.headers["Authorization"] == "Bearer fresh-access-token"
    assert requests_mock.call_count == 3  # one token call for the hook's life


def test_oauth_custom_token_url(monkeypatch, requests_mock):
    set_connection(monkeypatch, host=BASE, extra={**OAUTH_EXTRA, "token_url": "https://idbroker.test/token"})
    requests_mock.post("https://idbroker.test/token", **token_response("t2"))
    requests_mock.get(CUSTOMERS, **OK_LIST)
    WebexWholesaleHook()._request("GET", "/wholesale/customers")
    assert requests_mock.last_request.headers["Authorization"] == "Bearer t2"


def test_401_refreshes_once_and_retries(monkeypatch, requests_mock, logs):
    set_connection(monkeypatch, host=BASE, password="expired-token", extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, **token_response("renewed-token", refresh_token="rotated-refresh"))
    requests_mock.post(
        SUBSCRIBERS,
        [
            {
                "status_code": 401,
                "reason": "Unauthorized",
                "json": error_body("The request requires a valid access token"),
            },
            {"status_code": 200, "json": {"id": "s1"}},
        ],
    )
    hook = WebexWholesaleHook()
    assert hook._request("POST", "/wholesale/subscribers", json={}).json() == {"id": "s1"}
    first, token_call, second = requests_mock.request_history
    assert first.headers["Authorization"] == "Bearer expired-token"
    assert token_call.url == TOKEN_URL
    assert second.headers["Authorization"] == "Bearer renewed-token"
    # the rotated refresh token is used next time
    requests_mock.get(CUSTOMERS, [{"status_code": 401, "reason": "Unauthorized"}, OK_LIST])
    hook._request("GET", "/wholesale/customers")
    assert parse_qs(requests_mock.request_history[4].text)["refresh_token"] == ["rotated-refresh"]


def test_401_after_refresh_is_permanent(monkeypatch, requests_mock):
    set_connection(monkeypatch, host=BASE, password="expired-token", extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, **token_response("still-bad"))
    requests_mock.get(CUSTOMERS, status_code=401, reason="Unauthorized", json=error_body("Unauthorized"))
    with pytest.raises(WebexPermanentError) as info:
        WebexWholesaleHook()._request("GET", "/wholesale/customers")
    assert info.value.status_code == 401
    assert [r.method for r in requests_mock.request_history] == ["GET", "POST", "GET"]


def test_401_without_oauth_is_permanent(hook, requests_mock):
    requests_mock.get(CUSTOMERS, status_code=401, reason="Unauthorized")
    with pytest.raises(WebexPermanentError, match="answered 401"):
        hook._request("GET", "/wholesale/customers")
    assert requests_mock.call_count == 1


def test_refused_refresh_is_a_configuration_error(monkeypatch, requests_mock):
    set_connection(monkeypatch, "wx_oauth", host=BASE, extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, status_code=400, reason="Bad Request", json=error_body("invalid_grant"))
    with pytest.raises(WebexConfigurationError, match="'wx_oauth': the OAuth token refresh was refused") as info:
        WebexWholesaleHook("wx_oauth")._request("GET", "/wholesale/customers")
    assert "refresh-token-value" not in str(info.value)
    assert "client-secret-value" not in str(info.value)


def test_concurrent_401s_refresh_only_once(monkeypatch, requests_mock, waits):
    """Threads that all see the old token rejected trigger one refresh between them."""
    set_connection(monkeypatch, host=BASE, password="expired-token", extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, **token_response("renewed-token"))

    def answer(request, context):
        if request.headers["Authorization"] == "Bearer expired-token":
            context.status_code, context.reason = 401, "Unauthorized"
            return {"message": "expired"}
        return {"items": []}

    requests_mock.get(CUSTOMERS, json=answer)
    hook = WebexWholesaleHook()
    hook.sleep = waits.append
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: hook._request("GET", "/wholesale/customers").status_code, range(12)))
    assert results == [200] * 12
    assert sum(1 for r in requests_mock.request_history if r.url == TOKEN_URL) == 1


def test_refresh_with_a_stale_token_happens_once(monkeypatch, requests_mock):
    set_connection(monkeypatch, host=BASE, password="expired-token", extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, **token_response("renewed-token"))
    hook = WebexWholesaleHook()
    assert hook._token.current() == "expired-token"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: hook._token.refresh("expired-token"), range(8)))
    assert requests_mock.call_count == 1
    assert hook._token.current() == "renewed-token"


def test_expired_oauth_token_is_refreshed_before_use(monkeypatch, requests_mock):
    set_connection(monkeypatch, host=BASE, extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, [token_response("short-lived", expires_in=3600), token_response("next")])
    requests_mock.get(CUSTOMERS, **OK_LIST)
    hook = WebexWholesaleHook()
    hook._request("GET", "/wholesale/customers")
    assert 3400 < hook._token.expires_at - time.monotonic() <= 3540  # refreshed a minute before expiry
    hook._token.expires_at = time.monotonic() - 1  # an hour later
    hook._request("GET", "/wholesale/customers")
    tokens = [r.headers.get("Authorization") for r in requests_mock.request_history if r.method == "GET"]
    assert tokens == ["Bearer short-lived", "Bearer next"]


# --------------------------------------------------------------------------- threads and rate limit


def test_one_session_per_thread(hook, requests_mock):
    requests_mock.get(CUSTOMERS, **OK_LIST)

    all_in_flight = threading.Barrier(4, timeout=10)  # four distinct threads, not one reused

    def call(_):
        hook._request("GET", "/wholesale/customers")
        all_in_flight.wait()
        return id(hook.get_conn())

    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = set(pool.map(call, range(4)))
    assert len(sessions) == 4
    assert id(hook.get_conn()) == id(hook.get_conn())
    hook.close()


def test_rate_limiter_from_connection_extra(monkeypatch, requests_mock, waits):
    set_connection(monkeypatch, host=BASE, password=TOKEN, extra={"requests_per_second": "7.5"})
    hook = WebexWholesaleHook()
    hook.sleep = waits.append
    assert hook.rate_limiter.rate_per_second == 7.5
    acquired = []
    monkeypatch.setattr(hook.rate_limiter, "acquire", lambda: acquired.append(1) or 0.0)
    requests_mock.get(CUSTOMERS, [{"status_code": 503, "reason": "Service Unavailable"}, OK_LIST])
    hook._request("GET", "/wholesale/customers")
    assert len(acquired) == 2  # before every attempt


def test_rate_limit_argument_wins_and_none_means_unlimited(monkeypatch):
    set_connection(monkeypatch, host=BASE, password=TOKEN, extra={"requests_per_second": 7.5})
    assert WebexWholesaleHook(requests_per_second=2).rate_limiter.rate_per_second == 2
    assert WebexWholesaleHook(requests_per_second=0).rate_limiter is None
    set_connection(monkeypatch, host=BASE, password=TOKEN)
    assert WebexWholesaleHook().rate_limiter is None


def test_bad_rate_limit_extra(monkeypatch):
    set_connection(monkeypatch, "wx_rps", host=BASE, password=TOKEN, extra={"requests_per_second": "fast"})
    with pytest.raises(WebexConfigurationError, match=r"'wx_rps'.*requests_per_second"):
        WebexWholesaleHook("wx_rps").settings  # noqa: B018


# --------------------------------------------------------------------------- logging and secrets

LINE = re.compile(
    r"webex_api_call method=(?P<method>[A-Z]+) path=(?P<path>\S+) status=(?P<status>\S+)(?: error=\S+)? "
    r"tracking_id=(?P<tracking>\S+) duration_ms=(?P<duration>\d+) attempt=(?P<attempt>\d+)"
    r"(?: retry_in_s=(?P<retry>[\d.]+))?"
)


def test_one_structured_line_per_attempt(hook, requests_mock, logs):
    requests_mock.get(
        CUSTOMERS,
        [
            {
                "status_code": 429,
                "reason": "Too Many Requests",
                "headers": {"Retry-After": "2", "Trackingid": "ROUTER_A"},
            },
            {"json": {"items": []}, "headers": {"Trackingid": "ROUTER_B"}},
        ],
    )
    hook._request("GET", "/wholesale/customers", params={"externalId": "acme", "max": 100})
    lines = api_lines(logs)
    assert len(lines) == 2
    first, second = (LINE.fullmatch(line) for line in lines)
    assert first, lines
    assert second, lines
    assert first["method"] == "GET"
    assert first["path"] == "/wholesale/customers?externalId=acme&max=100"
    assert (first["status"], first["tracking"], first["attempt"], first["retry"]) == ("429", "ROUTER_A", "1", "2")
    assert (second["status"], second["tracking"], second["attempt"], second["retry"]) == ("200", "ROUTER_B", "2", None)
    assert all(e["log_level"] == "info" for e in logs if e["event"] in lines)


def test_log_line_for_a_transport_failure(make_hook, requests_mock, logs):
    hook = make_hook(max_attempts=2)
    requests_mock.get(CUSTOMERS, exc=requests.exceptions.ConnectTimeout("x"))
    with pytest.raises(WebexConnectionError):
        hook._request("GET", "/wholesale/customers")
    first, last = api_lines(logs)
    assert "status=error error=ConnectTimeout" in first
    assert "retry_in_s=" in first
    assert "attempt=2" in last
    assert "retry_in_s" not in last


def test_token_never_appears(monkeypatch, requests_mock, logs, capfd):
    """Not in log events, printed output, exception text/repr/pickle, nor the hook's repr; on errors too."""
    set_connection(monkeypatch, host=BASE, password=TOKEN, extra=OAUTH_EXTRA)
    requests_mock.post(TOKEN_URL, **token_response("second-secret-token"))
    requests_mock.get(
        CUSTOMERS,
        [
            {"status_code": 401, "reason": "Unauthorized"},
            {"status_code": 503, "reason": "Service Unavailable"},
            {"status_code": 400, "reason": "Bad Request", "json": error_body("bad", code=1)},
        ],
    )
    requests_mock.post(SUBSCRIBERS, exc=requests.exceptions.ReadTimeout("read timed out"))
    hook = WebexWholesaleHook(max_attempts=2)
    hook.sleep = lambda s: None
    errors = []
    for call in (
        lambda: hook._request("GET", "/wholesale/customers"),
        lambda: hook._request("POST", "/wholesale/subscribers", json={}),
    ):
        try:
            call()
        except Exception as e:
            errors.append(e)
    assert len(errors) == 2
    ok, message = hook.test_connection()
    assert not ok
    texts = [repr(hook), message, capfd.readouterr().out, capfd.readouterr().err, repr(logs)]
    for error in errors:
        texts += [str(error), repr(error), repr(pickle.dumps(error)), repr(vars(error))]
    blob = "\n".join(texts)
    for secret in (TOKEN, "second-secret-token", "client-secret-value", "refresh-token-value"):
        assert secret not in blob
    assert api_lines(logs)  # the check above did look at real log lines


def test_secret_query_params_are_masked_in_log_path(hook):
    hook.settings  # noqa: B018
    assert hook._log_path(f"{BASE}/x?access_token=abc&max=1", None) == "/x?access_token=%2A%2A%2A&max=1"


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
