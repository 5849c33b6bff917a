"""A write carried by the Airflow UI's cookie must come from this site; a Bearer token works from anywhere.

The browser attaches the ``_token`` cookie to a form another site posts here, so such a post must be refused
(CSRF), while the upload form of the Wholesale page (same origin) and API clients (Bearer) must get through.
"""

from __future__ import annotations

import json

import pytest
from api_helpers import API, SAME_ORIGIN
from ui_helpers import mounted_client, order_data


@pytest.fixture
def cookie_writer(sqlite_engine, mint_token):
    """A browser whose Airflow session (cookie) belongs to a user allowed to write."""
    client = mounted_client(sqlite_engine)[1]
    client.cookies.set("_token", mint_token(username="ops", role="user"))
    return client


def form_post(client, **headers: str):
    """What an HTML form posts: multipart, the order in the ``orders`` part, no Authorization header."""
    files = {"orders": ("order.json", json.dumps(order_data("csrf-0001")), "application/json")}
    return client.post(f"{API}/orders", files=files, headers=headers)


def queued_count(client, bearer) -> int:
    return client.get(f"{API}/orders", headers=bearer("viewer")).json()["total"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example.com"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://other.testserver"},
        {"Origin": "https://evil.example.com"},  # an older browser: no Sec-Fetch-Site
        {},  # neither header: cannot be told apart from a forgery
    ],
    ids=["cross-site", "same-site", "foreign-origin", "no-origin"],
)
def test_a_cross_site_form_post_with_the_cookie_is_refused_and_queues_nothing(cookie_writer, bearer, headers):
    response = form_post(cookie_writer, **headers)

    assert response.status_code == 403
    assert "cross-site write refused" in response.json()["detail"]
    assert queued_count(cookie_writer, bearer) == 0


def test_cross_site_retry_and_cancel_with_the_cookie_are_refused(cookie_writer, seeded):
    for action in ("retry", "cancel"):
        response = cookie_writer.post(
            f"{API}/orders/{seeded.failed_order}/{action}", headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert response.status_code == 403, action
    assert cookie_writer.get(f"{API}/orders/{seeded.failed_order}").json()["state"] == "failed"


@pytest.mark.parametrize("headers", [SAME_ORIGIN, {"Origin": "http://testserver"}], ids=["sec-fetch-site", "origin"])
def test_a_same_origin_form_post_with_the_cookie_is_accepted(cookie_writer, bearer, headers):
    response = form_post(cookie_writer, **headers)

    assert response.status_code == 201, response.text
    assert queued_count(cookie_writer, bearer) == 1


def test_a_bearer_write_needs_no_origin(anonymous, bearer):
    response = anonymous.post(f"{API}/orders", json=order_data("csrf-bearer-0001"), headers=bearer("user"))

    assert response.status_code == 201, response.text


def test_cookie_reads_need_no_origin(cookie_writer, seeded):
    assert cookie_writer.get(f"{API}/orders", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200
