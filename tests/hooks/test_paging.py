"""Paging: Link headers (response.links), offset fallback, loops and foreign links refused."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from helpers.hook_helpers import (
    BASE,
    CUSTOMERS,
    SUBSCRIBERS,
)

from webex_wholesale.exceptions import (
    WebexWholesaleError,
)

# --------------------------------------------------------------------------- pagination


HELD = {"status": "provisioned"}


def test_link_with_several_rels_and_a_comma_in_its_url_is_followed(hook, requests_mock):
    """requests parses the Link header (response.links): only rel="next" is followed, commas in URLs survive."""
    page2 = f"{SUBSCRIBERS}?customerId=c1&max=100&cursor=a,b"
    first_link = f'<{page2}>; rel="next", <{SUBSCRIBERS}?customerId=c1&max=100>; rel="first"'
    requests_mock.get(
        SUBSCRIBERS,
        [
            {
                "json": {"items": [{"id": "s1", "email": "a@x.com", "status": "provisioned"}]},
                "headers": {"Link": first_link},
            },
            {"json": {"items": [{"id": "s2", "email": "b@x.com", "status": "provisioned"}]}},
        ],
    )
    assert [s.id for s in hook.list_subscribers(customer_id="c1")] == ["s1", "s2"]
    assert requests_mock.request_history[1].qs["cursor"] == ["a,b"]


def test_pagination_follows_link_over_three_pages(hook, requests_mock):
    page2 = f"{SUBSCRIBERS}?customerId=c1&max=100&offset=100"
    page3 = f"{SUBSCRIBERS}?customerId=c1&max=100&offset=200"
    requests_mock.get(
        SUBSCRIBERS,
        [
            {"json": {"items": [{"id": f"a{i}"} for i in range(100)]}, "headers": {"Link": f'<{page2}>; rel="next"'}},
            {"json": {"items": [{"id": f"b{i}"} for i in range(100)]}, "headers": {"Link": f'<{page3}>; rel="next"'}},
            {"json": {"items": [{"id": "c0"}]}},
        ],
    )
    items = list(hook._paginate("/wholesale/subscribers", {"customerId": "c1"}))
    assert len(items) == 201
    first, second, third = requests_mock.request_history
    assert parse_qs(first.query) == {"customerid": ["c1"], "max": ["100"]}
    assert second.url == page2
    assert third.url == page3


def test_pagination_follows_relative_link(hook, requests_mock):
    requests_mock.get(
        CUSTOMERS,
        [
            {"json": {"items": [{"id": "1"}]}, "headers": {"Link": '</v1/wholesale/customers?offset=1>; rel="next"'}},
            {"json": {"items": [{"id": "2"}]}},
        ],
    )
    assert [c["id"] for c in hook._paginate("/wholesale/customers", {})] == ["1", "2"]


def test_pagination_by_offset_without_link(hook, requests_mock):
    requests_mock.get(
        SUBSCRIBERS,
        [
            {"json": {"items": [{"id": i} for i in range(100)]}},
            {"json": {"items": [{"id": i} for i in range(100, 200)]}},
            {"json": {"items": [{"id": i} for i in range(200, 237)]}},
        ],
    )
    items = list(hook._paginate("/wholesale/subscribers", {"status": "provisioned"}))
    assert [i["id"] for i in items] == list(range(237))
    offsets = [parse_qs(r.query).get("offset", ["0"])[0] for r in requests_mock.request_history]
    assert offsets == ["0", "100", "200"]
    assert all(parse_qs(r.query)["max"] == ["100"] for r in requests_mock.request_history)


def test_pagination_stops_on_an_empty_page(hook, requests_mock):
    requests_mock.get(SUBSCRIBERS, [{"json": {"items": [{"id": i} for i in range(100)]}}, {"json": {"items": []}}])
    assert len(list(hook._paginate("/wholesale/subscribers", {}))) == 100
    assert requests_mock.call_count == 2


def test_pagination_refuses_foreign_link(hook, requests_mock):
    requests_mock.get(
        CUSTOMERS, json={"items": [{"id": "1"}]}, headers={"Link": '<https://evil.test/v1/x>; rel="next"'}
    )
    with pytest.raises(WebexWholesaleError, match="Refusing to send the access token to"):
        list(hook._paginate("/wholesale/customers", {}))
    assert requests_mock.call_count == 1


def test_pagination_loop_is_detected(hook, requests_mock):
    requests_mock.get(CUSTOMERS, json={"items": [{"id": "1"}]}, headers={"Link": f'<{CUSTOMERS}?offset=1>; rel="next"'})
    with pytest.raises(WebexWholesaleError, match="Pagination loop"):
        list(hook._paginate("/wholesale/customers", {}))


def test_sub_partners_accept_either_list_key(hook, requests_mock):
    requests_mock.get(f"{BASE}/wholesale/subPartners", json={"subPartners": [{"orgId": "o1"}]})
    assert list(hook._paginate("/wholesale/subPartners", {}, items_keys=("items", "subPartners"))) == [{"orgId": "o1"}]
