"""Auth, the Webex error body on every error, and the Trackingid header."""

from __future__ import annotations

import re

import pytest
import requests


@pytest.fixture(scope="module")
def simulator(module_simulator):
    """One simulator for the module (a start per test would dominate the run time)."""
    return module_simulator


def assert_webex_error(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "errors", "trackingId"}
    assert body["message"]
    (error,) = body["errors"]
    assert error["description"]
    assert isinstance(error["errorCode"], int)
    assert body["trackingId"] == response.headers["Trackingid"]
    return body


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic dGVzdA==", "Bearer "])
def test_v1_refuses_a_missing_or_wrong_token_with_401(simulator, header):
    headers = {"Authorization": header} if header else {}

    response = requests.get(f"{simulator.base_url}/wholesale/customers", headers=headers, timeout=5)

    assert_webex_error(response, 401)


def test_v1_accepts_the_configured_token(api, simulator):
    response = api.get(f"{simulator.base_url}/wholesale/customers", timeout=5)

    assert response.status_code == 200
    assert "items" in response.json()


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/v1/wholesale/customers/nope", {}, 404),
        ("GET", "/v1/no/such/route", {}, 404),
        ("PATCH", "/v1/wholesale/customers", {}, 405),
        (
            "POST",
            "/v1/wholesale/customers",
            {"data": "{not json", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", "/v1/wholesale/customers", {"json": ["a", "list"]}, 400),
        ("POST", "/v1/wholesale/customers", {"data": "x=1", "headers": {"Content-Type": "text/plain"}}, 415),
        ("GET", "/v1/wholesale/subscribers", {"params": {"max": "lots"}}, 400),
    ],
)
def test_every_error_has_the_webex_error_body(api, simulator, method, path, kwargs, status):
    response = api.request(method, f"{simulator.url}{path}", timeout=5, **kwargs)

    assert_webex_error(response, status)


def test_trackingid_echoes_the_request_header(api, simulator):
    response = api.get(f"{simulator.base_url}/wholesale/customers/nope", headers={"TrackingID": "MINE_42"}, timeout=5)

    assert response.headers["Trackingid"] == "MINE_42"
    assert response.json()["trackingId"] == "MINE_42"


def test_trackingid_is_generated_on_every_response_when_not_sent(api, simulator):
    urls = [f"{simulator.base_url}/wholesale/customers", f"{simulator.url}/_sim/state", f"{simulator.url}/nowhere"]

    ids = [api.get(url, timeout=5).headers["Trackingid"] for url in urls]

    assert all(re.fullmatch(r"SIM_[0-9a-f-]{36}", i) for i in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/wholesale/customers", "GET, POST"),
        ("/v1/wholesale/customers/abc", "DELETE, GET, PUT"),
        ("/v1/wholesale/subscribers/validate", "POST"),
    ],
)
def test_405_names_every_method_the_path_serves(api, simulator, path, allowed):
    response = api.request("PATCH", f"{simulator.url}{path}", timeout=5)

    assert_webex_error(response, 405)
    assert response.headers["Allow"] == allowed


def test_a_request_without_a_body_gets_a_400_naming_what_is_missing(api, simulator):
    response = api.post(f"{simulator.base_url}/wholesale/subscribers/validate", timeout=5)

    assert_webex_error(response, 400)
    assert "email" in response.json()["message"]


def test_a_repeated_paging_parameter_is_a_400(api, simulator):
    response = api.get(f"{simulator.base_url}/wholesale/subscribers?offset=1&offset=2", timeout=5)

    assert_webex_error(response, 400)
