"""The pages in headless Chromium: they read at 1440 px, and in the DAG run tab inside it, without scrolling sideways.

Airflow 3.3 at a 1440 px window gives an external view about 1,050 px (the run's tab, beside the grid) or 1,370 px
(the navigation page). The data has 88-character Webex ids and long tracking ids, which must wrap.
Needs Debian's ``chromium``: skipped without it, unless WWA_REQUIRE_BROWSER=1 (then a failure).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from ui_helpers import DAG_ID, mounted_client

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Widths an external view gets in a 1440 px window: the DAG run tab, the navigation page, the page on its own.
WIDTHS = (1050, 1370, 1440)


@pytest.fixture
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("WWA_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required here (WWA_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium not installed (apt-get install chromium); WWA_REQUIRE_BROWSER=1 makes this a failure")
    return CHROMIUM


@pytest.fixture
def served_pages(sqlite_engine, seeded) -> Iterator[str]:
    """The pages (mounted at /wholesale) served by uvicorn on a free loopback port."""
    app = mounted_client(sqlite_engine)[1].app
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def test_chromium_has_stopped_all_its_processes_when_its_profile_is_removed(chromium):
    """Chromium's helpers outlive its main process for a moment and write into the profile: once, removing the
    profile then failed with "Directory not empty". The browser stops as a process group, waited for as a whole."""
    from headless_chromium import headless_chromium
    from local_stack import group_running

    with headless_chromium(chromium, 800) as browser:
        browser.open("about:blank")
        assert group_running(browser.pid)
    assert not group_running(browser.pid)
    assert not browser.profile.exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_never_scroll_sideways(chromium, served_pages, seeded, mint_token, width):
    from headless_chromium import headless_chromium

    pages = (
        "/wholesale/orders",
        f"/wholesale/orders/{seeded.failed_order}",
        f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}",
        f"/wholesale/runs/{DAG_ID}/{seeded.adhoc_run}",
        f"/wholesale/runs/{DAG_ID}/{seeded.failed_adhoc_run}",
    )
    with headless_chromium(chromium, width) as browser:
        browser.call("Network.setCookie", name="_token", value=mint_token(), url=served_pages)
        for path in pages:
            browser.open(served_pages + path)
            layout = browser.evaluate(
                "({h1: document.querySelector('h1').textContent, scroll: document.documentElement.scrollWidth,"
                " client: document.documentElement.clientWidth})"
            )
            assert "onboarding" in layout["h1"].lower() or "order" in layout["h1"].lower(), (path, layout)
            assert layout["scroll"] <= layout["client"], (path, width, layout)
