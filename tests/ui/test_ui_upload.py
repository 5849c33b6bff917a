"""The Wholesale page's "Add orders" form and the order page's buttons, as a browser in the Airflow UI uses them:
the session cookie, same-origin requests, files as multipart parts."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest
from api_helpers import EXAMPLE_CUSTOMER, SAME_ORIGIN, csv_parts, example_csv_parts
from test_ui_pages import text_of
from ui_helpers import mounted_client

from webex_wholesale.state import orders


@pytest.fixture
def ops(sqlite_engine, mint_token):
    """A browser logged in to Airflow as a user who may add orders, on a page of this site."""
    client = mounted_client(sqlite_engine)[1]
    client.cookies.set("_token", mint_token(username="ops", role="op"))
    client.headers.update(SAME_ORIGIN)
    return client


def confirmation_of(page: str) -> str:
    """What the preview's confirmation form posts back."""
    return html.unescape(re.search(r'<textarea name="orders" hidden>(.*?)</textarea>', page, re.S).group(1))


def bad_csv() -> str:
    text = (EXAMPLE_CUSTOMER.parent / "example-subscribers.csv").read_text()
    return text.replace("dr.ortiz@bayside-vet.example.com", "dr.ortiz-at-bayside")


def test_the_form_is_offered_to_writers_and_explained_to_readers(ops, browser):
    assert 'action="/wholesale/upload/preview"' in ops.get("/wholesale/upload").text
    viewer_page = browser.get("/wholesale/upload").text
    assert "may read the orders but not add them" in viewer_page
    assert "upload/preview" not in viewer_page


def test_a_bad_row_is_shown_by_line_field_and_reason_and_nothing_is_queued(ops, sqlite_engine):
    page = ops.post("/wholesale/upload/preview", files=csv_parts(bad_csv(), EXAMPLE_CUSTOMER.read_text()))

    assert page.status_code == 422
    text = text_of(page.text)
    assert "Refused: 1 problem, nothing was queued" in text
    assert "subscribers line 4 email value is not a valid email address" in text
    assert 'id="confirm"' not in page.text
    assert orders.list_orders(sqlite_engine) == []


def test_the_preview_shows_what_would_be_queued_and_queues_nothing(ops, sqlite_engine):
    page = ops.post("/wholesale/upload/preview", files=example_csv_parts())

    assert page.status_code == 200
    text = text_of(page.text)
    assert "To be queued: 1 order" in text
    assert "bayside-vet-0001 Bayside Veterinary Clinic 4 now" in text
    assert orders.list_orders(sqlite_engine) == []


def test_confirming_queues_exactly_the_preview(ops, sqlite_engine):
    preview = ops.post("/wholesale/upload/preview", files=example_csv_parts()).text

    done = ops.post("/wholesale/upload", files={"orders": ("", confirmation_of(preview))}, follow_redirects=False)

    assert done.status_code == 303
    assert done.headers["location"] == "/wholesale/orders?state=queued"
    (queued,) = orders.list_orders(sqlite_engine)
    assert (queued["external_id"], queued["subscriber_count"]) == ("bayside-vet-0001", 4)
    assert queued["source"] == "upload, user ops: orders[0]"


def test_file_inputs_left_empty_are_ignored(ops):
    files = {**example_csv_parts(), "orders": ("", b"", "application/octet-stream")}

    assert ops.post("/wholesale/upload/preview", files=files).status_code == 200


def test_confirming_an_order_already_queued_says_so(ops, sqlite_engine):
    preview = ops.post("/wholesale/upload/preview", files=example_csv_parts()).text
    confirm = {"orders": ("", confirmation_of(preview))}
    ops.post("/wholesale/upload", files=confirm)

    again = ops.post("/wholesale/upload", files=confirm)

    assert again.status_code == 409
    assert "externalId 'bayside-vet-0001' is order 1 (queued); nothing was queued" in html.unescape(again.text)
    assert len(orders.list_orders(sqlite_engine)) == 1


def test_a_changed_confirmation_is_validated_again(ops, sqlite_engine):
    preview = ops.post("/wholesale/upload/preview", files=example_csv_parts()).text
    (order,) = json.loads(confirmation_of(preview))
    order["subscribers"][0]["email"] = "not-an-email"

    page = ops.post("/wholesale/upload", files={"orders": ("", json.dumps([order]))})

    assert page.status_code == 422
    assert "orders[0]" in page.text
    assert orders.list_orders(sqlite_engine) == []


def test_the_retry_button_queues_a_failed_order_again_and_refuses_a_queued_one(ops, seeded):
    retried = ops.post(f"/wholesale/orders/{seeded.failed_order}/retry", follow_redirects=False)
    refused = ops.post(f"/wholesale/orders/{seeded.queued_order}/retry")

    assert (retried.status_code, retried.headers["location"]) == (303, f"/wholesale/orders/{seeded.failed_order}")
    assert "queued" in text_of(ops.get(retried.headers["location"]).text)
    assert refused.status_code == 409
    assert "cannot go from &#39;queued&#39; to &#39;queued&#39;" in refused.text


def test_the_cancel_button_cancels_a_queued_order(ops, sqlite_engine, seeded):
    response = ops.post(f"/wholesale/orders/{seeded.queued_order}/cancel", follow_redirects=False)

    assert response.status_code == 303
    assert orders.find_order(sqlite_engine, seeded.queued_order)["state"] == "cancelled"


def test_a_due_date_is_previewed_and_kept_on_confirmation(ops, sqlite_engine):
    customer = {**json.loads(EXAMPLE_CUSTOMER.read_text()), "notBefore": "2099-01-01T09:00:00+01:00"}
    csv_text = (EXAMPLE_CUSTOMER.parent / "example-subscribers.csv").read_text()
    preview = ops.post("/wholesale/upload/preview", files=csv_parts(csv_text, customer)).text

    ops.post("/wholesale/upload", files={"orders": ("", confirmation_of(preview))})

    assert "bayside-vet-0001 Bayside Veterinary Clinic 4 2099-01-01 08:00:00 UTC" in text_of(preview)
    (queued,) = orders.list_orders(sqlite_engine)
    assert queued["not_before"] == datetime(2099, 1, 1, 8, 0, tzinfo=UTC)
    assert "2099-01-01 08:00:00 UTC" in text_of(ops.get("/wholesale/orders").text)
    assert "Due 2099-01-01 08:00:00 UTC" in text_of(ops.get(f"/wholesale/orders/{queued['id']}").text)


@pytest.mark.parametrize(
    ("which", "buttons"),
    [("failed_order", {"retry", "cancel"}), ("queued_order", {"cancel"}), ("succeeded_order", set())],
)
def test_the_order_page_offers_the_buttons_its_state_allows(ops, seeded, which, buttons):
    page = ops.get(f"/wholesale/orders/{getattr(seeded, which)}").text

    assert {b for b in ("retry", "cancel") if f'id="{b}"' in page} == buttons
    assert f'href="/wholesale/api/v1/orders/{getattr(seeded, which)}/outcomes.csv"' in page


def test_readers_get_no_buttons_and_no_add_orders_link(browser, ops, seeded):
    order_page = browser.get(f"/wholesale/orders/{seeded.failed_order}").text
    orders_page = browser.get("/wholesale/orders").text

    assert 'id="retry"' not in order_page
    assert 'id="cancel"' not in order_page
    assert 'id="add-orders"' not in orders_page
    assert 'id="add-orders"' in ops.get("/wholesale/orders").text


def test_the_outcomes_link_downloads_with_the_session_cookie(browser, seeded):
    response = browser.get(f"/wholesale/api/v1/orders/{seeded.failed_order}/outcomes.csv")

    assert response.status_code == 200
    assert response.text.startswith("email,package,")


def test_the_preview_tells_the_values_the_checks_normalized(ops):
    customer = json.loads(EXAMPLE_CUSTOMER.read_text())
    customer["address"]["country"] = "us"
    csv_text = (EXAMPLE_CUSTOMER.parent / "example-subscribers.csv").read_text()

    page = ops.post("/wholesale/upload/preview", files=csv_parts(csv_text, customer))

    assert page.status_code == 200
    (item,) = re.findall(r'<ul id="normalized">\s*<li>(.*?)</li>', page.text)
    assert html.unescape(re.sub(r"<[^>]+>", "", item)) == "customer: address.country: 'us' is sent as 'US'"
