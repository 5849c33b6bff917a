"""Debian's Chromium, headless, driven by Playwright: the one browser driver of the UI tests and ``make browser-check``.

Playwright's Python package carries its own driver inside the wheel and is pointed at the system's Chromium
(``executable_path``), so nothing downloads a browser. Playwright starts the browser with a throw-away profile
and stops it, helpers included, when the block ends.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

from playwright.sync_api import Browser, sync_playwright

#: Nothing that reaches beyond this machine: no QUIC, sync, component updates or background fetches. No sandbox:
#: CI and the containers run as root, where Chromium refuses to start sandboxed.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> str | None:
    """Debian's ``chromium`` (``apt-get install chromium``), or ``None`` when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def headless_chromium(executable: str) -> Iterator[Browser]:
    """A headless Chromium from ``executable`` for the block, closed afterwards."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()
