"""The pages in headless Chromium: they read at 1440 px, and in the DAG run tab inside it, without scrolling sideways;
and a page opened without a session sends the browser to Airflow's login, with the way back.

Airflow 3.3 at a 1440 px window gives an external view about 1,050 px (the run's tab, beside the grid) or 1,370 px
(the navigation page). The data has 88-character Webex ids and long tracking ids, which must wrap.
Needs Debian's ``chromium``: skipped without it, unless WWA_REQUIRE_BROWSER=1 (then a failure).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import headless_chromium, signed_in_page
from ui_helpers import CUSTOMER_ID, DAG_ID

pytestmark = pytest.mark.browser

#: Widths an external view gets in a 1440 px window: the DAG run tab, the navigation page, the page on its own.
WIDTHS = (1050, 1370, 1440)
#: Every text node holding an unbroken run of 40 characters or more (Webex ids, tracking ids, paths): its text and
#: right edge; and the page's widths.
LONG_WORDS_LAYOUT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const words = [];
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent;
    if (!/\\S{40,}/.test(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    words.push({text: text.trim(), right: Math.max(...[...range.getClientRects()].map(line => line.right))});
  }
  return {words, scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth};
}"""


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def _our_chromium_processes() -> set[int]:
    """The Chromium processes (its helpers included) running below this test process, by their executable."""
    found = set()
    for exe in Path("/proc").glob("[0-9]*/exe"):
        with contextlib.suppress(OSError, ValueError):
            if "chromium" not in os.readlink(exe):
                continue
            pid = ancestor = int(exe.parent.name)
            while ancestor > 1 and ancestor != os.getpid():
                ancestor = _parent(ancestor)
            if ancestor == os.getpid():
                found.add(pid)
    return found


def test_the_browser_stops_with_every_helper_when_the_block_ends(chromium_executable):
    """Chromium's helpers outlive its main process for a moment and write into its profile: the driver must stop
    them all, or a test run leaves browsers behind."""
    with headless_chromium(chromium_executable) as browser:
        browser.new_page().goto("about:blank")
        started = _our_chromium_processes()
        assert started, "no Chromium process found while the browser runs"
    assert started & _our_chromium_processes() == set()


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_never_scroll_sideways(chromium, served_pages, seeded, mint_token, width):
    pages = (
        "/wholesale/orders",
        f"/wholesale/orders/{seeded.failed_order}",
        f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}",
        f"/wholesale/runs/{DAG_ID}/{seeded.adhoc_run}",
        f"/wholesale/runs/{DAG_ID}/{seeded.failed_adhoc_run}",
    )
    tab = signed_in_page(chromium, served_pages, mint_token(), width)
    for path in pages:
        tab.goto(served_pages + path)
        layout = tab.evaluate(
            "({h1: document.querySelector('h1').textContent, scroll: document.documentElement.scrollWidth,"
            " client: document.documentElement.clientWidth})"
        )
        assert "onboarding" in layout["h1"].lower() or "order" in layout["h1"].lower(), (path, layout)
        assert layout["scroll"] <= layout["client"], (path, width, layout)


def test_long_ids_wrap_instead_of_widening_the_page(chromium, served_pages, seeded, mint_token):
    """In the narrowest place a page is shown (the DAG run tab), every 88-character id ends inside the window."""
    tab = signed_in_page(chromium, served_pages, mint_token(), min(WIDTHS))
    tab.goto(f"{served_pages}/wholesale/runs/{DAG_ID}/{seeded.failed_run}")

    layout = tab.evaluate(LONG_WORDS_LAYOUT)

    assert len(CUSTOMER_ID) == 88
    assert any(CUSTOMER_ID in word["text"] for word in layout["words"]), layout
    outside = [word for word in layout["words"] if word["right"] > layout["client"]]
    assert outside == [], layout["client"]
    assert layout["scroll"] <= layout["client"], layout


def test_a_page_opened_logged_out_sends_the_browser_to_airflows_login_and_back(chromium, served_pages, seeded):
    """The browser follows the redirect to Airflow's login route (not served here: the URL is what counts), which
    carries the page as ``next``; the page's data never reaches it."""
    tab = chromium.new_context().new_page()
    page = f"{served_pages}/wholesale/orders/{seeded.failed_order}"

    tab.goto(page)

    landed = urlsplit(tab.url)
    assert landed.path == "/api/v2/auth/login"
    assert parse_qs(landed.query) == {"next": [page]}
    assert "acme-dental" not in tab.content()


def test_a_change_runs_plan_with_nested_request_bodies_fits_the_run_tab(
    chromium, served_pages, sqlite_engine, mint_token
):
    """A plan's moves carry the request body (package, then provisioningParameters, then extension): three levels of
    labels inside a table cell, in the narrowest place the page is shown; and the changes it made, a table of eight
    columns beside the report's labels."""
    from webex_wholesale.models.lifecycle_report import LifecycleReport
    from webex_wholesale.models.states import RunOutcome
    from webex_wholesale.state import runs

    run_id = "manual__2026-12-04T09:00:00+00:00"
    move = {
        "email": "mechanic@tidewater-dental-6.example.org",
        "subscriberId": CUSTOMER_ID,
        "fromPackage": "webex_meetings",
        "toPackage": "webex_suite",
        "body": {"packages": ["webex_suite"], "provisioningParameters": {"extension": "4101"}},
    }
    plan = {"externalId": "tidewater-dental-6", "customerId": CUSTOMER_ID, "subscribersToMove": [move]}
    # What applying it did: eight columns beside the report's label column, an email and a tracking id among them.
    change = {"action": "move_subscriber", "subject": move["email"], "before": "webex_meetings", "after": "webex_suite"}
    change |= {"done": True, "httpStatus": 200, "trackingId": f"ROUTER_{CUSTOMER_ID[:40]}"}
    report = LifecycleReport(runId=run_id, kind="change", externalId="tidewater-dental-6", plan=plan, changes=[change])
    runs.record_run_start(sqlite_engine, "webex_wholesale_change", run_id, "tidewater-dental-6", "Tidewater Dental")
    runs.record_plan(sqlite_engine, run_id, f"**Change of customer `tidewater-dental-6`** (Webex id `{CUSTOMER_ID}`)")
    runs.finish_run(sqlite_engine, run_id, RunOutcome.SUCCEEDED, report=report.model_dump(mode="json", by_alias=True))
    tab = signed_in_page(chromium, served_pages, mint_token(), min(WIDTHS))

    tab.goto(f"{served_pages}/wholesale/runs/webex_wholesale_change/{run_id}")

    layout = tab.evaluate(LONG_WORDS_LAYOUT)
    assert tab.get_by_text("4101").is_visible()
    assert layout["scroll"] <= layout["client"], layout
