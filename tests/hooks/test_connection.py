"""Reading the Airflow connection: base URL, token, OAuth and rate extras, clear errors naming the connection."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowFailException
from helpers.hook_helpers import (
    BASE,
    CUSTOMERS,
    OK_LIST,
    TOKEN,
    set_connection,
)

from webex_wholesale.exceptions import (
    WebexConfigurationError,
)
from webex_wholesale.hooks.wholesale import WebexWholesaleHook

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


def test_a_missing_connection_fails_the_task_without_retries(monkeypatch):
    """No retry defines a connection: the error is an AirflowFailException, so the task fails at once."""
    monkeypatch.delenv("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", raising=False)
    with pytest.raises(AirflowFailException, match=r"'webex_wholesale_default' could not be loaded"):
        WebexWholesaleHook().settings  # noqa: B018


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
