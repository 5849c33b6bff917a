"""The Airflow UI in a real browser, step by step, as ``make browser-check`` walks it (screenshots on the way).

Logs in, opens the trigger form of webex_wholesale_onboarding, submits an order, waits for the run to succeed,
opens the run's page and its "Wholesale report" tab, then the "Wholesale" page (orders) and the run's audit,
saving a screenshot of each. Any step that does not happen raises.

The order is the form's as it stands (the demo order, for the simulator) under a run id typed into the form, so
the walk also passes against an Airflow that onboarded it before: a repeated order adopts what exists.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from playwright.sync_api import BrowserContext, FrameLocator, Locator, Page

DAG_ID = "webex_wholesale_onboarding"
VIEWPORT = {"width": 1440, "height": 900}
#: Playwright's wait for any one element or navigation (Airflow on a loaded machine can take a minute).
STEP_TIMEOUT_MS = 120_000
#: How often the run's state is asked while it runs.
POLL_SECONDS = 2.0


@dataclass(frozen=True)
class Walk:
    """One walk through the UI: where Airflow is, the admin's password, the run id to give, where screenshots go."""

    base: str
    password: str
    run_id: str
    shots: Path
    run_timeout: float = 600.0

    def step(self, text: str) -> None:
        print(f"browser-check: {text}", flush=True)

    def save(self, target: Page | Locator, name: str) -> None:
        file = self.shots / f"{name}.png"
        if isinstance(target, Page):
            target.screenshot(path=file, full_page=True)
        else:
            target.screenshot(path=file)
        self.step(f"saved {file}")

    def log_in(self, page: Page) -> None:
        page.goto(f"{self.base}/")
        page.wait_for_url(re.compile(r"/auth/login"))
        page.locator("input[name=username]").fill("admin")
        page.locator("input[name=password]").fill(self.password)
        page.locator("button[type=submit]").click()
        page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/auth"))
        self.step("logged in as admin")

    def open_trigger_form(self, page: Page) -> Locator:
        page.goto(f"{self.base}/dags/{DAG_ID}")
        page.get_by_role("button", name=re.compile(r"^Trigger")).first.click()
        form = page.locator(".chakra-dialog__content").filter(has_text=f"Trigger Dag - {DAG_ID}")
        form.wait_for()
        form.locator("#element_externalId").wait_for()
        return form

    def submit_order(self, page: Page, form: Locator) -> str:
        """Trigger the run; return the order's externalId, which the report and the Wholesale page must show.

        The trigger form scrolls inside its dialog: the viewport grows to the dialog's height to capture it all.
        """
        external_id = form.locator("#element_externalId").input_value()
        height = page.locator(".chakra-dialog__positioner").evaluate("element => element.scrollHeight")
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height + 40})
        # Let the dialog lay out and paint at the new size: its code editors re-measure themselves after a resize.
        form.get_by_role("button", name="Trigger", exact=True).wait_for()
        page.wait_for_timeout(2000)
        self.save(form, "1-form")
        page.set_viewport_size(VIEWPORT)
        # Advanced Options replaces the parameters in the dialog's accordion: open it after the screenshot.
        form.get_by_text("Advanced Options").click()
        form.locator("input[name=dagRunId]").fill(self.run_id)
        form.get_by_role("button", name="Trigger", exact=True).click()
        form.wait_for(state="detached")
        self.step(f"triggered run {self.run_id} for the order with externalId {external_id}")
        return external_id

    def wait_for_run(self, context: BrowserContext) -> None:
        """Ask the REST API until the run succeeds; the UI's JWT (the ``_token`` cookie) is the bearer token."""
        token = next((c["value"] for c in context.cookies(self.base) if c["name"] == "_token"), None)
        if token is None:
            raise RuntimeError("no _token cookie after logging in")
        url = f"{self.base}/api/v2/dags/{DAG_ID}/dagRuns/{quote(self.run_id, safe='')}"
        deadline = time.monotonic() + self.run_timeout
        state = "not created"
        while time.monotonic() < deadline:
            answer = context.request.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=STEP_TIMEOUT_MS)
            if answer.ok:
                state = answer.json()["state"]
            elif answer.status != 404:
                raise RuntimeError(f"GET {url}: {answer.status}")
            if state == "success":
                return
            if state == "failed":
                raise RuntimeError(f"run {self.run_id} failed")
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"run {self.run_id} did not succeed in time (last seen: {state})")

    def plugin_frame(self, page: Page, text: str) -> FrameLocator:
        """An external view is an iframe in Airflow's page: wait for its content before the screenshot."""
        frame = page.frame_locator("iframe").first
        frame.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
        return frame

    def run(self, context: BrowserContext) -> None:
        """The whole walk in one browser context."""
        self.shots.mkdir(parents=True, exist_ok=True)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        self.log_in(page)
        external_id = self.submit_order(page, self.open_trigger_form(page))
        self.wait_for_run(context)
        self.step(f"run {self.run_id} succeeded")

        page.goto(f"{self.base}/dags/{DAG_ID}/runs/{quote(self.run_id, safe='')}")
        page.get_by_text(self.run_id).first.wait_for()
        page.get_by_text("onboarding_report").first.wait_for()
        self.save(page, "2-run")

        # The plugin's views, found by their url_route (their labels are the plugin's to word).
        page.locator('a[href$="/plugin/wholesale-run-report"]').first.click()
        self.plugin_frame(page, external_id)
        self.save(page, "3-report")

        page.locator('a[href$="/plugin/wholesale-onboarding"]').first.click()
        self.plugin_frame(page, external_id)
        self.save(page, "4-queue")

        # The page the tab shows, on its own: its audit records come after the report; the screenshot starts there.
        page.goto(f"{self.base}/wholesale/runs/{DAG_ID}/{quote(self.run_id, safe='')}")
        audit = page.get_by_role("heading", name=re.compile(r"^Audit records"))
        audit.wait_for()
        page.locator("table code", has_text=re.compile(r"^POST ")).first.wait_for()
        audit.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -20)")
        page.screenshot(path=self.shots / "5-audit.png")
        self.step(f"saved {self.shots / '5-audit.png'}")
        self.step("OK")
