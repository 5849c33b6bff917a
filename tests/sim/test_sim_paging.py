"""offset/max paging with Link rel="next", and the page-size bounds."""

from __future__ import annotations

import re

import pytest
import requests
from sim_payloads import customer_body, subscriber_body


@pytest.fixture(scope="module")
def simulator(module_simulator):
    """One simulator for the module (a start per test would dominate the run time)."""
    return module_simulator


def follow(api: requests.Session, url: str, params: dict) -> list[tuple[int, list[str], str | None]]:
    """Every page from ``url``, following Link rel=next: (status, ids, Link header)."""
    pages = []
    next_url, next_params = url, params
    while next_url:
        response = api.get(next_url, params=next_params, timeout=5)
        link = response.headers.get("Link")
        pages.append(
            (response.status_code, [item.get("id", item.get("orgId")) for item in response.json()["items"]], link)
        )
        match = re.fullmatch(r'<([^>]+)>; rel="next"', link or "")
        next_url, next_params = (match.group(1), None) if match else (None, None)
    return pages


def test_subscribers_page_through_link_next_across_three_pages(api, simulator, customer):
    url = f"{simulator.base_url}/wholesale/subscribers"
    created = [api.post(url, json=subscriber_body(customer["id"]), timeout=5).json()["id"] for _ in range(5)]

    pages = follow(api, url, {"customerId": customer["id"], "max": 2})

    assert [status for status, _, _ in pages] == [200, 200, 200]
    assert [len(ids) for _, ids, _ in pages] == [2, 2, 1]
    assert [i for _, ids, _ in pages for i in ids] == created
    assert "offset=2" in pages[0][2]
    assert "max=2" in pages[0][2]
    assert f"customerId={customer['id']}" in pages[0][2]
    assert pages[0][2].startswith(f"<{simulator.base_url}/wholesale/subscribers?")
    assert pages[2][2] is None


def test_customers_page_through_link_next(api, simulator):
    simulator.reset()
    url = f"{simulator.base_url}/wholesale/customers"
    created = [api.post(url, json=customer_body(), timeout=5).headers["Location"].rsplit("/", 1)[1] for _ in range(3)]

    pages = follow(api, url, {"max": "1"})

    assert [i for _, ids, _ in pages for i in ids] == created
    assert len(pages) == 3


def test_sub_partners_page_through_link_next(api, simulator):
    pages = follow(api, f"{simulator.base_url}/wholesale/subPartners", {"max": "1"})

    assert [len(ids) for _, ids, _ in pages] == [1, 1]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("subscribers", {"max": "100"}, 200),
        ("subscribers", {"max": "101"}, 400),
        ("subscribers", {"max": "0"}, 400),
        ("subscribers", {"offset": "-1"}, 400),
        ("customers", {"max": "1000"}, 200),
        ("customers", {"max": "1001"}, 400),
        ("customers", {"offset": "x"}, 400),
        ("subPartners", {"max": "1001"}, 400),
    ],
)
def test_page_size_bounds(api, simulator, path, params, status):
    response = api.get(f"{simulator.base_url}/wholesale/{path}", params=params, timeout=5)

    assert response.status_code == status
