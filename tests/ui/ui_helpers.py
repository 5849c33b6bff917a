"""A state database filled the way the queue and the onboarding runs fill it, for the page tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from webex_wholesale.models import SubscriberResult, parse_order
from webex_wholesale.models.call_record import ApiCallRecord
from webex_wholesale.models.report import StepResult
from webex_wholesale.models.states import RunOutcome
from webex_wholesale.onboarding.report import build_report
from webex_wholesale.onboarding.tasks import split_order
from webex_wholesale.state.audit import AuditWriter, RunContext
from webex_wholesale.state.orders import QueuedOrder, claim, enqueue
from webex_wholesale.state.runs import begin_order_run, finish_run, record_run_start

ROOT = Path(__file__).resolve().parents[2]
DEMO_ORDER: dict[str, Any] = json.loads((ROOT / "include" / "orders" / "demo-order.json").read_text())
DAG_ID = "webex_wholesale_onboarding"


def webex_id(kind: str, n: int) -> str:
    """An 88-character Webex id, like the real ones (base64 of a ciscospark:// URI)."""
    uri = f"ciscospark://us/{kind}/{n:08d}-1111-2222-3333-444444444444"[:64].ljust(64, "0")
    return base64.b64encode(uri.encode()).decode()


CUSTOMER_ID = webex_id("CUSTOMER", 1)
FAILED_TRACKING_ID = "WWA_" + webex_id("TRACKING", 99)
FAILED_EMAIL = "dr.lee@acme-dental.example.com"
FAILED_REASON = "User is already part of another Webex organization"
FAILED_NAME = "Morgan Lee"  # dr.lee's name in the demo order


def subscriber_name(subscriber: dict[str, Any]) -> str:
    params = subscriber["provisioningParameters"]
    return f"{params['firstName']} {params['lastName']}"


def order_data(external_id: str, name: str | None = None) -> dict[str, Any]:
    """The demo order as another customer: its externalId, its name, and its people's emails on its own domain
    (``acme-dental-0001`` keeps the demo's), since a Webex user belongs to one customer."""
    domain = f"{external_id.rsplit('-', 1)[0]}.example.com"
    order = json.loads(json.dumps(DEMO_ORDER).replace("acme-dental.example.com", domain))
    order["externalId"] = external_id
    if name:
        order["customerInfo"]["name"] = name
    return order


def report_for(run_id: str, order: dict[str, Any], *, failed: bool, extra: dict[str, Any] | None = None) -> dict:
    """The report the onboarding_report task would write, as JSON (one failed subscriber when ``failed``), with
    every field of a subscriber outcome filled as Webex's answers fill them (a failed run's widest table)."""
    subscribers = order["subscribers"]
    outcomes = [
        {"email": s["email"], "name": subscriber_name(s), "result": "provisioned", "isAdmin": i == 0,
         "subscriberId": webex_id("SUBSCRIBER", i), "status": "provisioned", "package": s["packages"][0],
         "httpStatus": 200, "attempts": 1}
        for i, s in enumerate(subscribers[:2])
    ]  # fmt: skip
    if failed:
        outcomes.append(
            {"email": FAILED_EMAIL, "name": FAILED_NAME, "result": "failed", "package": "webex_meetings",
             "httpStatus": 409, "errorCodes": [400106], "message": FAILED_REASON, "trackingId": FAILED_TRACKING_ID,
             "attempts": 1}
        )  # fmt: skip
    steps = [StepResult(task_id="provision_customer", state="success")]
    if failed:
        steps.append(StepResult(task_id="provision_subscribers", state="failed", message="1 of 2 subscribers failed"))
    started = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    report = build_report(
        run_id=run_id,
        dry_run=False,
        summary=split_order(parse_order(order))["summary"],
        customer_ref={"customerId": CUSTOMER_ID, "externalId": order["externalId"]},
        customer={"id": CUSTOMER_ID, "orgId": webex_id("ORGANIZATION", 1), "status": "provisioned"},
        outcomes=outcomes,
        setup_assist=None,
        steps=steps,
        started_at=started,
        finished_at=started + timedelta(seconds=42),
    ).model_dump(mode="json", by_alias=True)
    return {**report, **(extra or {})}


def audit_run(engine: Engine, run_id: str, order_id: int | None, external_id: str, *, failed: bool) -> None:
    """The audit rows a run writes: its API calls and its subscribers' outcomes."""
    context = RunContext(
        dag_id=DAG_ID, dag_run_id=run_id, task_id="provision_subscribers", map_index=0, try_number=1,
        order_id=order_id, customer_external_id=external_id, customer_id=CUSTOMER_ID,
    )  # fmt: skip
    at = datetime(2026, 12, 1, 9, 0, 5, tzinfo=UTC)
    with AuditWriter(engine, context) as writer:
        writer(ApiCallRecord(at=at, method="POST", path="/wholesale/subscribers", http_status=200,
                             tracking_id="WWA_" + webex_id("TRACKING", 2), duration_ms=104, attempts=1,
                             subscriber_email="reception@acme-dental.example.com"))  # fmt: skip
        writer.subscriber_outcome("reception@acme-dental.example.com", SubscriberResult.PROVISIONED, http_status=200)
        if failed:
            writer(ApiCallRecord(at=at, method="POST", path="/wholesale/subscribers", http_status=409,
                                 tracking_id=FAILED_TRACKING_ID, duration_ms=98, attempts=1, error_codes=(400106,),
                                 subscriber_email=FAILED_EMAIL))  # fmt: skip
            writer.subscriber_outcome(FAILED_EMAIL, SubscriberResult.FAILED, http_status=409,
                                      tracking_id=FAILED_TRACKING_ID, error_codes=[400106],
                                      reason=FAILED_REASON)  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    """What :func:`seed` put in the database."""

    failed_order: int
    succeeded_order: int
    queued_order: int
    failed_run: str
    adhoc_run: str
    failed_adhoc_run: str


def seed(engine: Engine) -> Seeded:
    """Three queued orders (one onboarded, one failed, one waiting) and two ad-hoc runs (one onboarded, one
    failed), with reports and audit."""
    ids = enqueue(engine, [
        QueuedOrder(parse_order(order_data("acme-dental-0001")), "orders.csv"),
        QueuedOrder(parse_order(order_data("globex-clinic-0002", "Globex Clinic")), "orders.csv"),
        QueuedOrder(parse_order(order_data("initech-0003", "Initech <b>Ltd</b>")), "orders.csv"),
    ])  # fmt: skip
    claims = {c.order_id: c for c in claim(engine, 2)}
    for order_id, failed in ((ids[0], True), (ids[1], False)):
        run_id = claims[order_id].dag_run_id
        order = begin_order_run(engine, order_id, DAG_ID, run_id)
        audit_run(engine, run_id, order_id, order["externalId"], failed=failed)
        outcome = RunOutcome.FAILED if failed else RunOutcome.SUCCEEDED
        finish_run(engine, run_id, outcome, report=report_for(run_id, order, failed=failed),
                   customer_id=CUSTOMER_ID, error=FAILED_REASON if failed else None)  # fmt: skip
    adhoc = "manual__2026-12-01T10:00:00+00:00"
    adhoc_order = order_data("umbrella-ad-hoc-0009", "Umbrella Labs")
    record_run_start(engine, DAG_ID, adhoc, "umbrella-ad-hoc-0009", "Umbrella Labs")
    audit_run(engine, adhoc, None, "umbrella-ad-hoc-0009", failed=False)
    finish_run(engine, adhoc, RunOutcome.SUCCEEDED, report=report_for(adhoc, adhoc_order, failed=False))
    failed_adhoc = "manual__2026-12-01T11:00:00+00:00"
    failed_order = order_data("stark-ad-hoc-0010", "Stark Clinic")
    record_run_start(engine, DAG_ID, failed_adhoc, "stark-ad-hoc-0010", "Stark Clinic")
    audit_run(engine, failed_adhoc, None, "stark-ad-hoc-0010", failed=True)
    finish_run(engine, failed_adhoc, RunOutcome.FAILED, report=report_for(failed_adhoc, failed_order, failed=True))
    return Seeded(ids[0], ids[1], ids[2], claims[ids[0]].dag_run_id, adhoc, failed_adhoc)


def mounted_client(engine: Engine | Callable[[], Engine], **app_options: Any) -> tuple[FastAPI, TestClient]:
    """The pages' app reading ``engine`` (or what a factory returns), mounted at /wholesale as the api-server does."""
    from webex_wholesale.ui import URL_PREFIX
    from webex_wholesale.ui.app import create_app
    from webex_wholesale.ui.deps import state_engine

    pages = create_app(**app_options)
    pages.dependency_overrides[state_engine] = engine if callable(engine) else (lambda: engine)
    parent = FastAPI()
    parent.mount(URL_PREFIX, pages)
    return pages, TestClient(parent)
