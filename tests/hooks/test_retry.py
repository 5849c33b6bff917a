"""What is retried, after how long (tenacity, wait from the exception), and the ambiguous-write rule."""

from __future__ import annotations

import pytest
import requests
from airflow.sdk.exceptions import AirflowFailException
from helpers.hook_helpers import (
    CUSTOMERS,
    OK_LIST,
    SUBSCRIBERS,
    error_body,
)

from webex_wholesale.exceptions import (
    WebexAmbiguousWriteError,
    WebexConnectionError,
    WebexPermanentError,
    WebexTransientError,
)
from webex_wholesale.hooks.retry import is_retryable

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
