"""The Airflow UI in a real browser, step by step, as ``make browser-check`` walks it (screenshots on the way).

Opens the Wholesale page logged out (Airflow's login, then back to the page), opens the trigger form of
webex_wholesale_onboarding (it must be empty), loads the example order on purpose as the DAG's doc says (pasted
into Advanced Options -> Configuration JSON), triggers it and waits for the run to succeed; opens the run's page and
its "Wholesale report" tab, then the "Wholesale" page (orders) and the run's audit. Then a queued order that Webex
refuses in part (one of its users belongs to the demo customer): its failed run's report tab and the order's page,
neither of which may scroll sideways. Last, orders added through the Wholesale page's form, watched until the queue
has onboarded them (:mod:`browser_upload`). A screenshot of each; any step that does not happen raises.

The example is the demo order under a run id typed into the form, so the walk also passes against an Airflow that
onboarded it before: a repeated order adopts what exists. Queuing an order needs the state database: a walk
given no ``enqueue`` (a running Airflow elsewhere) leaves the failed order out, and says so.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from browser_upload import add_orders
from local_stack import ROOT
from playwright.sync_api import BrowserContext, FrameLocator, Locator, Page

DAG_ID = "webex_wholesale_onboarding"
QUEUE_DAG_ID = "webex_wholesale_queue"
#: The example the DAG's doc tells people to load on purpose.
EXAMPLE_ORDER = ROOT / "include" / "orders" / "demo-order.json"
#: A user of the example's customer, whom Webex refuses to any other customer (409, errorCode 10022).
TAKEN_EMAIL = "dr.lee@acme-dental.example.com"
VIEWPORT = {"width": 1440, "height": 900}
#: Playwright's wait for any one element or navigation (Airflow on a loaded machine can take a minute).
STEP_TIMEOUT_MS = 120_000
#: How often the run's state is asked while it runs.
POLL_SECONDS = 2.0


def refused_order(external_id: str) -> dict[str, Any]:
    """Another customer's order (its own email domain) that also orders a user the example's customer holds."""
    example = EXAMPLE_ORDER.read_text(encoding="utf-8")
    order = json.loads(example.replace("acme-dental.example.com", f"{external_id}.example.com"))
    order["externalId"] = external_id
    order["customerInfo"]["name"] = "Browser Check Refused Clinic"
    order["subscribers"][2]["email"] = TAKEN_EMAIL
    return order


@dataclass(frozen=True)
class Walk:
    """One walk through the UI: where Airflow is, the admin's password, the run id to give, where screenshots go;
    and how to queue an order (``enqueue(order) -> order id``), when the walk can."""

    base: str
    password: str
    run_id: str
    shots: Path
    run_timeout: float = 600.0
    enqueue: Callable[[dict[str, Any]], int] | None = None

    def step(self, text: str) -> None:
        print(f"browser-check: {text}", flush=True)

    def save(self, target: Page | Locator, name: str) -> None:
        file = self.shots / f"{name}.png"
        if isinstance(target, Page):
            target.screenshot(path=file, full_page=True)
        else:
            target.screenshot(path=file)
        self.step(f"saved {file}")

    def log_in_from_a_wholesale_link(self, page: Page) -> None:
        """Open the Wholesale page logged out, as a link in a ticket would: Airflow's login, then back to it."""
        wanted = f"{self.base}/wholesale/orders"
        page.goto(wanted)
        page.wait_for_url(re.compile(r"/auth/login"))
        page.locator("input[name=username]").fill("admin")
        page.locator("input[name=password]").fill(self.password)
        page.locator("button[type=submit]").click()
        page.wait_for_url(wanted)
        page.get_by_role("heading", name="Webex Wholesale onboarding").wait_for()
        self.step("a /wholesale link opened logged out went to Airflow's login and back; logged in as admin")

    def open_trigger_form(self, page: Page) -> Locator:
        page.goto(f"{self.base}/dags/{DAG_ID}")
        page.get_by_role("button", name=re.compile(r"^Trigger")).first.click()
        form = page.locator(".chakra-dialog__content").filter(has_text=f"Trigger Dag - {DAG_ID}")
        form.wait_for()
        form.locator("#element_externalId").wait_for()
        return form

    def check_form_is_empty(self, page: Page, form: Locator) -> None:
        """No order's value before anyone types or loads one; screenshot of the whole form.

        The trigger form scrolls inside its dialog: the viewport grows to the dialog's height to capture it all.
        """
        filled = {name: value for name in ("externalId", "provisioningId") if (value := self._field(form, name))}
        if filled:
            raise RuntimeError(f"the trigger form opened filled: {filled}")
        height = page.locator(".chakra-dialog__positioner").evaluate("element => element.scrollHeight")
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height + 40})
        # Let the dialog lay out and paint at the new size: its code editors re-measure themselves after a resize.
        form.get_by_role("button", name="Trigger", exact=True).wait_for()
        page.wait_for_timeout(2000)
        self.save(form, "1-form")
        page.set_viewport_size(VIEWPORT)
        self.step("the trigger form opened empty")

    @staticmethod
    def _field(form: Locator, name: str) -> str:
        return form.locator(f"#element_{name}").input_value()

    def load_example_and_trigger(self, page: Page, form: Locator) -> str:
        """Load the example order on purpose (pasted into Configuration JSON, as the DAG's doc says) and trigger
        it under the walk's run id; return its externalId, which the report and the Wholesale page must show."""
        example = json.loads(EXAMPLE_ORDER.read_text(encoding="utf-8"))
        form.get_by_text("Advanced Options").click()
        form.locator(".monaco-editor").last.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(json.dumps(example))  # one line: the editor adds no brackets or indents to it
        form.get_by_text("Run Parameters").click()
        if self._field(form, "externalId") != example["externalId"]:
            raise RuntimeError("the example pasted into Configuration JSON did not reach the form's fields")
        form.get_by_text("Advanced Options").click()
        form.locator("input[name=dagRunId]").fill(self.run_id)
        form.get_by_role("button", name="Trigger", exact=True).click()
        form.wait_for(state="detached")
        self.step(f"triggered run {self.run_id} for the example order (externalId {example['externalId']})")
        return example["externalId"]

    def api_headers(self, context: BrowserContext) -> dict[str, str]:
        """Headers for the REST API: the UI's JWT (the ``_token`` cookie) is the bearer token."""
        token = next((c["value"] for c in context.cookies(self.base) if c["name"] == "_token"), None)
        if token is None:
            raise RuntimeError("no _token cookie after logging in")
        return {"Authorization": f"Bearer {token}"}

    def wait_for_run(self, context: BrowserContext, run_id: str, expected: str) -> None:
        """Ask the REST API until the run ends; it must end ``expected`` (``success`` or ``failed``)."""
        url = f"{self.base}/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}"
        deadline = time.monotonic() + self.run_timeout
        state = "not created"
        while time.monotonic() < deadline:
            answer = context.request.get(url, headers=self.api_headers(context), timeout=STEP_TIMEOUT_MS)
            if answer.ok:
                state = answer.json()["state"]
            elif answer.status != 404:
                raise RuntimeError(f"GET {url}: {answer.status}")
            if state in ("success", "failed"):
                if state != expected:
                    raise RuntimeError(f"run {run_id} ended {state}, not {expected}")
                return
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"run {run_id} did not end in time (last seen: {state})")

    def plugin_frame(self, page: Page, text: str) -> FrameLocator:
        """An external view is an iframe in Airflow's page: wait for its content before the screenshot."""
        frame = page.frame_locator("iframe").first
        frame.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
        return frame

    def check_no_sideways_scroll(self, document: Locator, where: str) -> None:
        """``document`` (a page's or a frame's ``html``) must fit its width: nothing scrolls sideways."""
        scroll, client = document.evaluate("html => [html.scrollWidth, html.clientWidth]")
        if scroll > client:
            raise RuntimeError(f"{where} scrolls sideways: {scroll} px of content in {client} px")
        self.step(f"{where} fits its {client} px")

    def walk_the_example(self, context: BrowserContext, page: Page) -> None:
        form = self.open_trigger_form(page)
        self.check_form_is_empty(page, form)
        external_id = self.load_example_and_trigger(page, form)
        self.wait_for_run(context, self.run_id, "success")
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

    def walk_a_failed_order(
        self, context: BrowserContext, page: Page, enqueue: Callable[[dict[str, Any]], int]
    ) -> None:
        """Queue an order Webex refuses in part, let the queue DAG start it, and read its failure where ops do: the
        failed run's "Wholesale report" tab and the order's page, at 1440 px, without sideways scrolling."""
        order = refused_order(f"browser-check-refused-{int(time.time())}")
        order_id = enqueue(order)
        run_id = f"order-{order_id}"  # the queue's first attempt (webex_wholesale.state.orders.run_id_for)
        queue_runs = f"{self.base}/api/v2/dags/{QUEUE_DAG_ID}/dagRuns"
        answer = context.request.post(queue_runs, headers=self.api_headers(context), data={"logical_date": None})
        if not answer.ok:
            raise RuntimeError(f"POST {queue_runs}: {answer.status} {answer.text()}")
        self.step(f"queued order {order_id} ({order['externalId']}) and started a round of the queue")
        self.wait_for_run(context, run_id, "failed")
        self.step(f"run {run_id} failed, as it must: Webex refused {TAKEN_EMAIL}")

        page.goto(f"{self.base}/dags/{DAG_ID}/runs/{run_id}")
        page.locator('a[href$="/plugin/wholesale-run-report"]').first.click()
        frame = self.plugin_frame(page, TAKEN_EMAIL)
        frame.get_by_text("What failed").first.wait_for()
        self.check_no_sideways_scroll(frame.locator("html"), "the failed run's Wholesale report tab")
        self.save(page, "6-failed-report")

        page.locator('a[href$="/plugin/wholesale-onboarding"]').first.click()
        self.plugin_frame(page, order["externalId"]).get_by_role("link", name=order["externalId"]).first.click()
        frame = self.plugin_frame(page, "What to do next")
        self.check_no_sideways_scroll(frame.locator("html"), "the failed order's page in the Wholesale view")
        self.save(page, "7-failed-order")

        page.goto(f"{self.base}/wholesale/orders/{order_id}")
        page.get_by_text("What to do next").wait_for()
        self.check_no_sideways_scroll(page.locator("html"), "the failed order's page on its own")
        self.save(page, "8-failed-order-page")

    def run(self, context: BrowserContext) -> None:
        """The whole walk in one browser context."""
        self.shots.mkdir(parents=True, exist_ok=True)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        self.log_in_from_a_wholesale_link(page)
        self.walk_the_example(context, page)
        if self.enqueue is None:
            self.step("failed order left out: queuing one needs the state database (run without --url)")
        else:
            self.walk_a_failed_order(context, page, self.enqueue)
        add_orders(self, context, page)
        self.step("OK")
