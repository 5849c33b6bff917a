"""Every route of the onboarding pages requires an authenticated Airflow user allowed to read onboarding runs.

A FastAPI app mounted by a plugin inherits no authentication, so these tests enumerate the app's routes: a route
added later is refused to anonymous callers here too, or this test fails.
"""

from __future__ import annotations

from urllib.parse import urlencode

import jwt
import pytest
from starlette.routing import Mount, Route
from ui_helpers import DAG_ID

from webex_wholesale.ui.api import API_PREFIX

#: The pages that show no order: the Add orders form, and the Health view before any check has found something.
ORDER_FREE_PAGES = {"/wholesale/upload", "/wholesale/health"}
#: A value for each path parameter the pages use; an unknown parameter gets "1".
#: What a browser's Accept header says when it opens a page.
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAMPLE_PATH_PARAMS = {"order_id": "1", "dag_id": DAG_ID, "run_id": "order-1"}


def every_route(app, prefix: str = "/wholesale") -> list[tuple[str, str]]:
    """(method, URL under ``prefix``) for every page route of the app, its path parameters filled in.

    The one mount, the orders API, is an app with checks of its own, walked by tests/ui/test_api_roles.py.
    """
    found = []
    for route in app.routes:
        if isinstance(route, Mount) and route.path == API_PREFIX:
            continue
        assert isinstance(route, Route), f"{route!r} is not a plain route: check how it is authenticated"
        params = {name: SAMPLE_PATH_PARAMS.get(name, "1") for name in route.param_convertors}
        path = route.path_format.format(**params)
        found += [(method, f"{prefix}{path}") for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def test_the_app_has_the_pages_and_nothing_that_skips_authentication(pages):
    assert {url for _, url in every_route(pages)} == {
        "/wholesale/",
        "/wholesale/orders",
        "/wholesale/orders/1",
        "/wholesale/orders/1/retry",
        "/wholesale/orders/1/cancel",
        "/wholesale/upload",
        "/wholesale/upload/preview",
        f"/wholesale/runs/{DAG_ID}/order-1",
        "/wholesale/health",
        "/wholesale/health/1/repair",
    }
    assert pages.openapi_url is None
    assert pages.docs_url is None
    assert pages.redoc_url is None


def test_anonymous_callers_are_refused_on_every_route(pages, anonymous, seeded):
    for method, url in every_route(pages):
        response = anonymous.request(method, url, follow_redirects=False)
        assert response.status_code == 401, (method, url, response.status_code)
        assert "acme-dental" not in response.text


def test_a_person_opening_a_page_logged_out_is_sent_to_airflows_login_and_back(pages, anonymous, seeded):
    """A browser asks for HTML: it gets Airflow's login (the route that knows the auth manager) with ``next`` set
    to the page; a script (no text/html in Accept) keeps its 401 (above). Writes are no pages: they keep the 401."""
    for method, url in every_route(pages):
        response = anonymous.request(method, url, headers={"Accept": PAGE_ACCEPT}, follow_redirects=False)

        if method != "GET":
            assert response.status_code == 401, (method, url)
            continue
        assert response.status_code == 303, (method, url)
        assert response.headers["location"] == f"/api/v2/auth/login?{urlencode({'next': f'http://testserver{url}'})}"
        assert "acme-dental" not in response.text


def test_a_valid_airflow_token_is_accepted_on_every_read_from_the_cookie_or_the_header(
    pages, anonymous, browser, mint_token, seeded
):
    """Every page a viewer reads (the writes need more than a viewer: test_roles.py, test_ui_health.py)."""
    bearer = {"Authorization": f"Bearer {mint_token()}"}
    for method, url in every_route(pages):
        if method != "GET":
            continue  # the writes, and who may make them: test_roles.py
        assert browser.request(method, url).status_code == 200, (method, url)
        assert anonymous.request(method, url, headers=bearer).status_code == 200, (method, url)


def test_a_token_signed_with_another_key_is_refused(pages, anonymous, mint_token, seeded):
    claims = jwt.decode(mint_token(), options={"verify_signature": False})
    forged = jwt.encode({**claims, "role": "admin"}, "not-the-airflow-secret-" * 4, algorithm="HS512")
    for method, url in every_route(pages):
        response = anonymous.request(method, url, cookies={"_token": forged}, follow_redirects=False)
        assert response.status_code == 403, (method, url)
        assert "acme-dental" not in response.text


def test_a_tampered_token_is_refused(anonymous, mint_token, seeded):
    header, _payload, signature = mint_token(role="viewer").split(".")
    _h, admin_payload, _s = mint_token(role="admin").split(".")

    response = anonymous.get("/wholesale/orders", cookies={"_token": f"{header}.{admin_payload}.{signature}"})

    assert response.status_code == 403


def test_an_expired_token_is_refused(pages, anonymous, mint_token, seeded):
    expired = mint_token(expires_in=-3600)
    for method, url in every_route(pages):
        response = anonymous.request(method, url, cookies={"_token": expired}, follow_redirects=False)
        assert response.status_code == 401, (method, url)
        assert "Token Expired" in response.text


@pytest.mark.parametrize("role", [None, ""])
def test_a_user_the_auth_manager_gives_no_role_is_forbidden(anonymous, mint_token, seeded, role):
    response = anonymous.get("/wholesale/orders", cookies={"_token": mint_token(role=role)})

    assert response.status_code == 403
    assert "may not read the runs of webex_wholesale_onboarding" in response.text
    assert "acme-dental" not in response.text


def test_no_page_shows_a_token(pages, browser, mint_token, seeded, monkeypatch):
    """The pages read no connection and echo no credential: neither the Webex token nor the user's JWT appears."""
    webex_token = "webex-access-token-that-must-never-show"
    monkeypatch.setenv(
        "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT",
        f'{{"conn_type": "webex_wholesale", "host": "http://127.0.0.1:1/v1", "password": "{webex_token}"}}',
    )
    user_token = mint_token()
    browser.cookies.set("_token", user_token)
    reads = [(method, url) for method, url in every_route(pages) if method == "GET"]  # writes: test_roles.py
    for method, url in [*reads, ("GET", f"/wholesale/runs/{DAG_ID}/{seeded.adhoc_run}")]:
        response = browser.request(method, url, headers={"Authorization": f"Bearer {user_token}"})
        body = response.text
        # The page itself, with the seeded orders on it: a refusal or an empty page would show no token either.
        assert (response.status_code, "acme-dental" in body) == (200, url not in ORDER_FREE_PAGES), url
        assert webex_token not in body, url
        assert user_token not in body, url
        assert "Bearer" not in body, url
