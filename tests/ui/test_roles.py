"""Who may do what, decided by Airflow's auth manager: every route of the orders API and every write of the pages,
against every role.

The simple auth manager's roles: ``viewer`` reads the onboarding DAG's runs, ``user``, ``op`` and ``admin`` may
also trigger them. The tests walk the route tables, so a route added later is checked too: it must be classified
here, a read must refuse anonymous callers, and a write must refuse a viewer, or these tests fail. (The pages'
reads are walked by test_ui_auth.py.)
"""

from __future__ import annotations

import json

import pytest
from api_helpers import API
from fastapi.routing import APIRoute
from starlette.routing import Mount
from ui_helpers import DAG_ID, order_data

from webex_wholesale.state import orders, runs

READ, WRITE = "read", "write"
#: Every route of the API and every write of the pages, each with what it is.
ROUTES = {
    ("GET", f"{API}/openapi.json"): READ,
    ("GET", f"{API}/orders"): READ,
    ("GET", f"{API}/orders/{{order_id}}"): READ,
    ("GET", f"{API}/orders/{{order_id}}/outcomes.csv"): READ,
    ("POST", f"{API}/orders"): WRITE,
    ("POST", f"{API}/orders/{{order_id}}/retry"): WRITE,
    ("POST", f"{API}/orders/{{order_id}}/cancel"): WRITE,
    ("POST", "/wholesale/upload/preview"): WRITE,
    ("POST", "/wholesale/upload"): WRITE,
    ("POST", "/wholesale/orders/{order_id}/retry"): WRITE,
    ("POST", "/wholesale/orders/{order_id}/cancel"): WRITE,
    ("POST", "/wholesale/health/{finding_id}/repair"): WRITE,
}
#: A writer walks the writes in this order, each with the status it expects: retry takes a failed order back to
#: the queue and cancel then cancels it (one failed order through the API, another through the page's buttons).
WRITE_ORDER = [
    (f"{API}/orders", 201),
    (f"{API}/orders/{{order_id}}/retry", 200),
    (f"{API}/orders/{{order_id}}/cancel", 200),
    ("/wholesale/upload/preview", 200),
    ("/wholesale/upload", 303),
    ("/wholesale/orders/{order_id}/retry", 303),
    ("/wholesale/orders/{order_id}/cancel", 303),
    ("/wholesale/health/{finding_id}/repair", 404),  # past the checks: no such finding (test_ui_health.py repairs)
]
WRITERS = ["user", "op", "admin"]


def walked_routes(pages) -> list[tuple[str, str]]:
    """Every route of the API and every non-GET route of the pages, as (method, path template)."""
    found = []
    for route in pages.routes:
        if isinstance(route, Mount):
            for api_route in route.app.routes:
                assert isinstance(api_route, APIRoute), f"{api_route!r} is not an API route: how is it checked?"
                found += [(m, f"/wholesale{route.path}{api_route.path}") for m in api_route.methods if m != "HEAD"]
        else:
            found += [(m, f"/wholesale{route.path}") for m in route.methods if m not in ("GET", "HEAD")]
    return sorted(found)


def request_args(path: str, external_id: str) -> dict:
    """A valid body for the routes that take one: an order as JSON (API) or as the form's ``orders`` file."""
    if path == f"{API}/orders":
        return {"json": order_data(external_id)}
    if path.startswith("/wholesale/upload"):
        return {"files": {"orders": ("order.json", json.dumps(order_data(external_id)), "application/json")}}
    return {}


def call(client, method: str, path: str, order_id: int, headers: dict, external_id: str = "roles-0001"):
    url = path.format(order_id=order_id, finding_id=order_id)
    return client.request(method, url, headers=headers, follow_redirects=False, **request_args(path, external_id))


def test_every_route_is_classified_as_a_read_or_a_write(pages):
    assert walked_routes(pages) == sorted(ROUTES)
    assert {method for (method, _), kind in ROUTES.items() if kind == READ} == {"GET"}
    assert {path for path, _ in WRITE_ORDER} == {path for (_, path), kind in ROUTES.items() if kind == WRITE}


def test_anonymous_callers_are_refused_everywhere(pages, anonymous, seeded):
    for method, path in walked_routes(pages):
        response = call(anonymous, method, path, seeded.failed_order, {})
        assert response.status_code == 401, (method, path)
        assert "acme-dental" not in response.text


@pytest.mark.parametrize("role", [None, ""])
def test_a_user_without_a_role_is_refused_everywhere(pages, anonymous, bearer, seeded, role):
    for method, path in walked_routes(pages):
        assert call(anonymous, method, path, seeded.failed_order, bearer(role)).status_code == 403, (method, path)


def test_a_viewer_reads_the_api_and_is_refused_every_write(pages, anonymous, bearer, seeded):
    for method, path in walked_routes(pages):
        response = call(anonymous, method, path, seeded.failed_order, bearer("viewer"))
        if ROUTES[method, path] == READ:
            assert response.status_code == 200, (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path)
            assert "may not trigger runs of webex_wholesale_" in response.text  # onboarding's, or change's (repair)
    assert anonymous.get(f"{API}/orders", headers=bearer("viewer")).json()["total"] == 3  # nothing queued
    failed = anonymous.get(f"{API}/orders/{seeded.failed_order}", headers=bearer("viewer")).json()
    assert failed["state"] == "failed"  # nothing changed


def fail_the_queued_order(engine) -> int:
    """Claim the one queued order and let its run fail: a second failed order to retry and cancel."""
    (claim,) = orders.claim(engine, 1)
    runs.begin_order_run(engine, claim.order_id, DAG_ID, claim.dag_run_id)
    runs.finish_run(engine, claim.dag_run_id, "failed", error="for the test")
    return claim.order_id


@pytest.mark.parametrize("role", WRITERS)
def test_user_op_and_admin_may_read_and_write(pages, anonymous, bearer, sqlite_engine, seeded, role):
    headers = bearer(role)
    targets = {API: seeded.failed_order, "/wholesale/orders": fail_the_queued_order(sqlite_engine)}
    for number, (path, expected) in enumerate(WRITE_ORDER):
        order_id = next((order_id for prefix, order_id in targets.items() if path.startswith(prefix)), 0)
        response = call(anonymous, "POST", path, order_id, headers, external_id=f"roles-{number}")
        assert response.status_code == expected, (path, response.text)
    for method, path in walked_routes(pages):
        if ROUTES[method, path] == READ:
            assert call(anonymous, method, path, seeded.failed_order, headers).status_code == 200, path
    for order_id in targets.values():
        order = anonymous.get(f"{API}/orders/{order_id}", headers=headers).json()
        assert [t["toState"] for t in order["transitions"]][-3:] == ["failed", "queued", "cancelled"]
