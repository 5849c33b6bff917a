"""Headless Chromium for the page tests: the scripts' driver, and a tab carrying the Airflow UI's session cookie."""

from __future__ import annotations

from headless_chromium import find_chromium, headless_chromium
from playwright.sync_api import Browser, Page

__all__ = ["find_chromium", "headless_chromium", "signed_in_page"]


def signed_in_page(browser: Browser, base: str, token: str, width: int) -> Page:
    """A tab ``width`` px wide carrying the Airflow UI's session cookie, as the iframe in the UI does."""
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.add_cookies([{"name": "_token", "value": token, "url": base}])
    return context.new_page()
