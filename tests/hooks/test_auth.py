"""The access token: OAuth refresh on expiry and once per 401, across threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest
from helpers.hook_helpers import (
    BASE,
    CUSTOMERS,
    OAUTH_EXTRA,
    OK_LIST,
    SUBSCRIBERS,
    TOKEN_URL,
    error_body,
    set_connection,
    token_response,
)

from webex_wholesale.exceptions import (
    WebexConfigurationError,
    WebexPermanentError,
)
from webex_wholesale.hooks.wholesale import WebexWholesaleHook

# --------------------------------------------------------------------------- OAuth


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
