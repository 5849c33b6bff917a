"""The "Add orders" part of ``make browser-check``: upload a CSV with a bad row, read the problem, fix it, queue it,
and watch the queue onboard it.

Everything happens in the Wholesale view (the plugin's page in the Airflow UI's iframe), as an ops person does it;
only the queue's round is started over REST instead of waiting up to ten minutes for its schedule. The customer's
externalId and email domain are new on every walk, so repeated walks against one simulator do not collide.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from local_stack import ROOT
from playwright.sync_api import BrowserContext, Page

if TYPE_CHECKING:
    from browser_walk import Walk

QUEUE_DAG_ID = "webex_wholesale_queue"
EXAMPLES = ROOT / "include" / "orders"
EXAMPLE_DOMAIN = "bayside-vet.example.com"
#: The example CSV's third subscriber (line 4), whose email the bad file breaks.
BROKEN_EMAIL = f"dr.ortiz@{EXAMPLE_DOMAIN}"


def order_files(folder: Path, tag: str) -> tuple[Path, Path, Path]:
    """The customer JSON, a CSV with one bad email (line 4) and the fixed CSV, for a customer of its own."""
    domain = f"{tag}.example.com"
    customer = json.loads((EXAMPLES / "example-customer.json").read_text())
    customer["externalId"] = tag
    customer["customerInfo"]["primaryEmail"] = f"office@{domain}"
    subscribers = (EXAMPLES / "example-subscribers.csv").read_text()
    files = (folder / f"{tag}-customer.json", folder / f"{tag}-bad.csv", folder / f"{tag}.csv")
    files[0].write_text(json.dumps(customer))
    files[1].write_text(subscribers.replace(BROKEN_EMAIL, "dr.ortiz-at-bayside").replace(EXAMPLE_DOMAIN, domain))
    files[2].write_text(subscribers.replace(EXAMPLE_DOMAIN, domain))
    return files


def check(walk: Walk, page: Page, subscribers: Path, customer: Path) -> None:
    """Choose the two files in the Add orders form of the Wholesale view and press Check."""
    frame = page.frame_locator("iframe").first
    frame.locator("input[name=subscribers]").set_input_files(subscribers)
    frame.locator("input[name=customer]").set_input_files(customer)
    frame.locator("#check").click()
    walk.step(f"checked {subscribers.name} with {customer.name}")


def wait_for_order(walk: Walk, context: BrowserContext, external_id: str) -> int:
    """Start a round of the queue and ask the orders API until the order succeeds; return its id."""
    headers = walk.api_headers(context)
    api = f"{walk.base}/wholesale/api/v1/orders"
    (order,) = context.request.get(f"{api}?externalId={external_id}", headers=headers).json()["orders"]
    started = context.request.post(
        f"{walk.base}/api/v2/dags/{QUEUE_DAG_ID}/dagRuns", headers=headers, data={"logical_date": None}
    )
    if not started.ok:
        raise RuntimeError(f"could not start a round of {QUEUE_DAG_ID}: {started.status} {started.text()}")
    walk.step(f"order {order['id']} queued; started a round of {QUEUE_DAG_ID}")
    deadline = time.monotonic() + walk.run_timeout
    state = "queued"
    while time.monotonic() < deadline:
        state = context.request.get(f"{api}/{order['id']}", headers=headers).json()["state"]
        if state == "succeeded":
            return order["id"]
        if state in ("failed", "needs_attention", "cancelled"):
            raise RuntimeError(f"order {order['id']} ended {state}")
        time.sleep(2)
    raise RuntimeError(f"order {order['id']} was not onboarded in time (last seen: {state})")


def add_orders(walk: Walk, context: BrowserContext, page: Page) -> None:
    """Upload, read the problem, fix, preview, confirm, watch the order onboard; screenshots 9 to 12."""
    tag = f"bc-{int(time.time())}"
    customer, bad, fixed = order_files(walk.shots, tag)
    page.goto(f"{walk.base}/plugin/wholesale-onboarding")  # the Wholesale view, inside the Airflow UI
    frame = walk.plugin_frame(page, "Add orders")
    frame.locator("#add-orders").click()

    check(walk, page, bad, customer)
    problem = frame.locator("#problems tbody tr").first
    walk.step(f"refused as it should be: {' '.join(problem.inner_text().split())}")
    if "line 4" not in problem.inner_text():
        raise RuntimeError("the bad row was not named by its line")
    walk.save(page, "9-problem")

    check(walk, page, fixed, customer)
    frame.locator("#preview").get_by_text(tag).wait_for()
    walk.save(page, "10-preview")
    frame.locator("#confirm").click()
    frame.get_by_role("link", name=tag).wait_for()
    walk.save(page, "11-queued")

    order_id = wait_for_order(walk, context, tag)
    page.goto(f"{walk.base}/wholesale/orders/{order_id}")
    page.locator("h1 .badge.succeeded").wait_for()
    walk.save(page, "12-onboarded")
    walk.step(f"order {order_id} ({tag}) onboarded")
