"""The transport: headers, sessions per thread, one log line per attempt, secrets never shown."""

from __future__ import annotations

import pickle
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest
import requests
from helpers.hook_helpers import (
    BASE,
    CUSTOMERS,
    OAUTH_EXTRA,
    OK_LIST,
    SUBSCRIBERS,
    TOKEN,
    TOKEN_URL,
    api_lines,
    error_body,
    set_connection,
    token_response,
)

from webex_wholesale.budget.rules import BudgetPolicy
from webex_wholesale.exceptions import (
    WebexConfigurationError,
    WebexConnectionError,
    WebexPermanentError,
)
from webex_wholesale.hooks.wholesale import WebexWholesaleHook

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


# --------------------------------------------------------------------------- threads and rate limit


def test_one_session_per_thread(hook, requests_mock):
    requests_mock.get(CUSTOMERS, **OK_LIST)

    all_in_flight = threading.Barrier(4, timeout=10)  # four distinct threads, not one reused

    def call(_):
        try:
            hook._request("GET", "/wholesale/customers")
        except BaseException:
            all_in_flight.abort()  # the others stop waiting at once; this thread's error is the one reported
            raise
        all_in_flight.wait()
        return id(hook.get_conn())

    with ThreadPoolExecutor(max_workers=4) as pool:
        calls = [pool.submit(call, n) for n in range(4)]
    errors = [c.exception() for c in calls if c.exception() is not None]
    errors.sort(key=lambda e: isinstance(e, threading.BrokenBarrierError))
    if errors:
        raise errors[0]
    sessions = {c.result() for c in calls}
    assert len(sessions) == 4
    assert hook.get_conn() is hook.get_conn()
    hook.close()


def test_budget_ceiling_comes_from_the_connection_extra(monkeypatch):
    set_connection(monkeypatch, host=BASE, password=TOKEN, extra={"requests_per_second": "7.5"})
    assert WebexWholesaleHook().budget.policy.ceiling == 7.5
    set_connection(monkeypatch, host=BASE, password=TOKEN)
    assert WebexWholesaleHook().budget.policy.ceiling is None  # learned


def test_every_attempt_takes_a_budget_slot(hook, requests_mock):
    requests_mock.get(CUSTOMERS, [{"status_code": 503, "reason": "Service Unavailable"}, OK_LIST])
    hook._request("GET", "/wholesale/customers")
    assert hook.budget.stats.requests == 2


def test_a_429_is_reported_to_the_budget(hook, requests_mock, fake_time):
    requests_mock.get(CUSTOMERS, [{"status_code": 429, "headers": {"Retry-After": "3"}}, OK_LIST])
    hook._request("GET", "/wholesale/customers")
    assert hook.budget.stats.throttled == 1
    state = hook.budget.state()
    assert state.rate == pytest.approx(10.0 * BudgetPolicy().halving_factor)  # the slow start ended: halved once
    assert state.paused_until == pytest.approx(fake_time.now, abs=0.5)  # the retry waited the pause out


def test_bad_rate_limit_extra(monkeypatch):
    set_connection(monkeypatch, "wx_rps", host=BASE, password=TOKEN, extra={"requests_per_second": "fast"})
    with pytest.raises(WebexConfigurationError, match=r"'wx_rps'.*requests_per_second"):
        WebexWholesaleHook("wx_rps").settings  # noqa: B018


# --------------------------------------------------------------------------- logging and secrets

LINE = re.compile(
    r"webex_api_call method=(?P<method>[A-Z]+) path=(?P<path>\S+) status=(?P<status>\S+)(?: error=\S+)? "
    r"tracking_id=(?P<tracking>\S+) duration_ms=(?P<duration>\d+) attempt=(?P<attempt>\d+)"
)
RETRY_LINE = re.compile(
    r"webex_api_retry method=(?P<method>[A-Z]+) path=(?P<path>\S+) attempt=(?P<attempt>\d+) "
    r"retry_in_s=(?P<retry>[\d.]+) reason=(?P<reason>\w+)"
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
    assert (first["status"], first["tracking"], first["attempt"]) == ("429", "ROUTER_A", "1")
    assert (second["status"], second["tracking"], second["attempt"]) == ("200", "ROUTER_B", "2")
    assert all(e["log_level"] == "info" for e in logs if e["event"] in lines)
    # tenacity's before_sleep says why and how long, once, between the two attempts
    events = [e["event"] for e in logs]
    (retry,) = [RETRY_LINE.fullmatch(e) for e in events if e.startswith("webex_api_retry ")]
    assert retry
    assert (retry["path"], retry["attempt"], retry["retry"], retry["reason"]) == (
        "/wholesale/customers?externalId=acme&max=100",
        "1",
        "2",
        "WebexTransientError",
    )
    assert events.index(lines[0]) < events.index(retry.string) < events.index(lines[1])


def test_log_line_for_a_transport_failure(make_hook, requests_mock, logs):
    hook = make_hook(max_attempts=2)
    requests_mock.get(CUSTOMERS, exc=requests.exceptions.ConnectTimeout("x"))
    with pytest.raises(WebexConnectionError):
        hook._request("GET", "/wholesale/customers")
    first, last = api_lines(logs)
    assert "status=error error=ConnectTimeout" in first
    assert "attempt=2" in last
    retries = [e["event"] for e in logs if e["event"].startswith("webex_api_retry ")]
    assert len(retries) == 1  # between the attempts, none after the last
    assert "reason=WebexConnectionError" in retries[0]


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


# --------------------------------------------------------------------------- call observer


ANN = {"id": "s1", "email": "ann@example.com"}


def test_observer_gets_one_record_per_call_after_its_last_attempt(make_hook, requests_mock):
    records = []
    hook = make_hook(call_observer=records.append)
    requests_mock.post(
        SUBSCRIBERS,
        [
            {"status_code": 429, "headers": {"Retry-After": "1"}},
            {
                "json": {"id": "s1", "email": "ann@example.com", "status": "provisioned"},
                "headers": {"Trackingid": "T2"},
            },
        ],
    )
    hook.provision_subscriber({"customerId": "c1", "email": "ann@example.com", "package": "webex_calling"})
    (record,) = records
    assert (record.method, record.path, record.http_status, record.tracking_id) == (
        "POST",
        "/wholesale/subscribers",
        200,
        "T2",
    )
    assert record.attempts == 2
    assert record.subscriber_email == "ann@example.com"
    assert record.changes_something
    assert record.at.tzinfo is not None


def test_observer_record_of_a_refused_call(make_hook, requests_mock):
    records = []
    hook = make_hook(call_observer=records.append)
    requests_mock.post(CUSTOMERS, status_code=400, json=error_body("Bad address", code=10019, tracking="ROUTER_9"))
    with pytest.raises(WebexPermanentError):
        hook.provision_customer({"externalId": "acme"})
    (record,) = records
    assert (record.http_status, record.tracking_id, record.error_codes, record.attempts) == (
        400,
        "ROUTER_9",
        (10019,),
        1,
    )
    assert record.subscriber_email is None
    assert TOKEN not in repr(record)


def test_observer_record_of_a_call_without_answer(make_hook, requests_mock):
    records = []
    hook = make_hook(call_observer=records.append, max_attempts=3)
    requests_mock.get(CUSTOMERS, exc=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(WebexConnectionError):
        hook.list_customers()
    (record,) = records
    assert (record.method, record.http_status, record.attempts) == ("GET", None, 3)
    assert not record.changes_something


# --------------------------------------------------------------------------- proxies and TLS from the environment


def test_the_environment_is_read_once_per_session_and_the_connection_extras_win(monkeypatch, requests_mock):
    """requests would read all of os.environ twice per call; the hook reads it when the session is made."""
    set_connection(
        monkeypatch, host=BASE, password=TOKEN, extra={"proxies": {"http": "http://conn-proxy.example.net:3128"}}
    )
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy.example.net:8080")
    monkeypatch.setenv("HTTP_PROXY", "http://env-proxy.example.net:8080")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/partner-ca.pem")
    requests_mock.get(CUSTOMERS, **OK_LIST)
    hook = WebexWholesaleHook()
    session = hook.get_conn()

    assert session.trust_env is False
    assert session.proxies == {
        "https": "http://env-proxy.example.net:8080",
        "http": "http://conn-proxy.example.net:3128",
    }
    assert session.verify == "/etc/ssl/partner-ca.pem"
    monkeypatch.setattr(requests.utils, "get_environ_proxies", lambda *a, **k: pytest.fail("environment read again"))
    hook._request("GET", "/wholesale/customers")
    assert len(requests_mock.request_history) == 1


def test_no_proxy_and_a_verify_extra_are_honoured(monkeypatch):
    set_connection(monkeypatch, host=BASE, password=TOKEN, extra={"verify": False})
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy.example.net:8080")
    monkeypatch.setenv("NO_PROXY", "webex.test")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/partner-ca.pem")

    session = WebexWholesaleHook().get_conn()

    assert session.proxies == {}  # the API's host is in NO_PROXY
    assert session.verify is False  # the connection said so: the environment's bundle does not override it
