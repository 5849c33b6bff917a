"""The "Add orders" flow in headless Chromium, as an ops person uses it: a CSV with a bad row is refused with the
problem shown by line and field, the fixed file is previewed, and only the confirmation queues it; the order's
page then offers Cancel, which the browser's same-origin form post may use.

Needs Debian's ``chromium``: skipped without it, unless WWA_REQUIRE_BROWSER=1 (then a failure).
"""

from __future__ import annotations

import re

import pytest
from api_helpers import EXAMPLE_CSV, EXAMPLE_CUSTOMER
from browser_helpers import signed_in_page

from webex_wholesale.state import orders

pytestmark = pytest.mark.browser

EXTERNAL_ID = "bayside-vet-0001"


def external_ids(engine) -> list[str]:
    return [order["external_id"] for order in orders.list_orders(engine)]


def test_a_bad_row_is_shown_then_the_fixed_file_is_previewed_queued_and_cancelled(
    chromium, served_pages, mint_token, sqlite_engine, tmp_path
):
    bad = tmp_path / "subscribers.csv"
    bad.write_text(EXAMPLE_CSV.read_text().replace("dr.ortiz@bayside-vet.example.com", "dr.ortiz-at-bayside"))
    tab = signed_in_page(chromium, served_pages, mint_token(username="ops", role="op"), 1370)
    tab.goto(f"{served_pages}/wholesale/orders")
    tab.locator("#add-orders").click()

    tab.locator("input[name=subscribers]").set_input_files(bad)
    tab.locator("input[name=customer]").set_input_files(EXAMPLE_CUSTOMER)
    tab.locator("#check").click()
    problem = tab.locator("#problems tbody tr").first.inner_text()
    assert re.search(r"subscribers line 4\s+email\s+value is not a valid email address", problem), problem
    assert EXTERNAL_ID not in external_ids(sqlite_engine)

    tab.goto(f"{served_pages}/wholesale/upload")
    tab.locator("input[name=subscribers]").set_input_files(EXAMPLE_CSV)
    tab.locator("input[name=customer]").set_input_files(EXAMPLE_CUSTOMER)
    tab.locator("#check").click()
    preview = tab.locator("#preview").inner_text()
    assert re.search(rf"{EXTERNAL_ID}\s+Bayside Veterinary Clinic\s+4\s+now", preview), preview
    assert EXTERNAL_ID not in external_ids(sqlite_engine)

    tab.locator("#confirm").click()
    tab.wait_for_url(re.compile(r"/wholesale/orders\?state=queued$"))
    tab.get_by_role("link", name=EXTERNAL_ID).click()
    tab.locator("#cancel").click()
    tab.locator("h1 .badge.cancelled").wait_for()
    (order,) = [o for o in orders.list_orders(sqlite_engine) if o["external_id"] == EXTERNAL_ID]
    assert (order["state"], order["subscriber_count"], order["source"]) == (
        "cancelled",
        4,
        "upload, user ops: orders[0]",
    )
