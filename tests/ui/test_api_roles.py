"""Who may do what on the orders API, decided by Airflow's auth manager: every route against every role.

The simple auth manager's roles: ``viewer`` reads the onboarding DAG's runs, ``user``, ``op`` and ``admin`` may
also trigger them. The tests walk the API's route table, so a route added later is checked too: a read must
refuse anonymous callers, a write must refuse a viewer, or these tests fail.
"""

from __future__ import annotations

import pytest
from api_helpers import API
from fastapi.routing import APIRoute
from ui_helpers import order_data

READ, WRITE = "read", "write"
#: The routes there are, each with what it is; a new route fails the first test until it is classified here.
ROUTES = {
    ("GET", "/openapi.json"): READ,
    ("GET", "/orders"): READ,
    ("GET", "/orders/{order_id}"): READ,
    ("GET", "/orders/{order_id}/outcomes.csv"): READ,
    ("POST", "/orders"): WRITE,
    ("POST", "/orders/{order_id}/retry"): WRITE,
    ("POST", "/orders/{order_id}/cancel"): WRITE,
}
#: Walked in this order for a writer: retry takes the failed order back to queued, cancel then cancels it.
WRITE_ORDER = ["/orders", "/orders/{order_id}/retry", "/orders/{order_id}/cancel"]
WRITERS = ["user", "op", "admin"]


def api_routes(orders_api) -> list[tuple[str, str]]:
    found = []
    for route in orders_api.routes:
        assert isinstance(route, APIRoute), f"{route!r} is not an API route: check how it is authenticated"
        found += [(method, route.path) for method in sorted(route.methods) if method != "HEAD"]
    return found


def url(path: str, order_id: int) -> str:
    return API + path.format(order_id=order_id)


def body_for(path: str) -> dict:
    return {"json": order_data("roles-0001")} if path == "/orders" else {}


def test_every_route_of_the_api_is_classified_as_a_read_or_a_write(orders_api):
    assert sorted(api_routes(orders_api)) == sorted(ROUTES)
    assert {method for method, _ in ROUTES if ROUTES[method, _] == READ} == {"GET"}


def test_anonymous_callers_are_refused_everywhere(orders_api, anonymous, seeded):
    for method, path in api_routes(orders_api):
        response = anonymous.request(method, url(path, seeded.failed_order), **body_for(path))
        assert response.status_code == 401, (method, path)
        assert "acme-dental" not in response.text


@pytest.mark.parametrize("role", [None, ""])
def test_a_user_without_a_role_is_refused_everywhere(orders_api, anonymous, bearer, seeded, role):
    for method, path in api_routes(orders_api):
        response = anonymous.request(method, url(path, seeded.failed_order), headers=bearer(role), **body_for(path))
        assert response.status_code == 403, (method, path)


def test_a_viewer_reads_every_read_and_is_refused_every_write(orders_api, anonymous, bearer, seeded):
    for method, path in api_routes(orders_api):
        response = anonymous.request(method, url(path, seeded.failed_order), headers=bearer("viewer"), **body_for(path))
        if ROUTES[method, path] == READ:
            assert response.status_code == 200, (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path)
            assert "may not trigger runs of webex_wholesale_onboarding" in response.json()["detail"]
    assert anonymous.get(f"{API}/orders", headers=bearer("viewer")).json()["total"] == 3  # nothing was queued


@pytest.mark.parametrize("role", WRITERS)
def test_user_op_and_admin_may_read_and_write(orders_api, anonymous, bearer, seeded, role):
    headers = bearer(role)
    writes = {path for method, path in api_routes(orders_api) if ROUTES[method, path] == WRITE}
    assert writes == set(WRITE_ORDER)
    for path in WRITE_ORDER:
        response = anonymous.post(url(path, seeded.failed_order), headers=headers, **body_for(path))
        assert response.status_code == (201 if path == "/orders" else 200), (path, response.text)
    for method, path in api_routes(orders_api):
        if ROUTES[method, path] == READ:
            assert anonymous.get(url(path, seeded.failed_order), headers=headers).status_code == 200, path
    assert anonymous.get(url("/orders/{order_id}", seeded.failed_order), headers=headers).json()["state"] == "cancelled"
