"""The onboarding pages against a real (SQLite) state database filled by the queue's and the runs' own code."""

from __future__ import annotations

import re

from ui_helpers import (
    CUSTOMER_ID,
    DAG_ID,
    FAILED_EMAIL,
    FAILED_NAME,
    FAILED_REASON,
    FAILED_TRACKING_ID,
    mounted_client,
    order_data,
    webex_id,
)

from webex_wholesale.models import parse_order
from webex_wholesale.state.orders import QueuedOrder, cancel, enqueue
from webex_wholesale.state.runs import record_run_start
from webex_wholesale.state.schema import run_table


def text_of(html: str) -> str:
    """The page's visible text, roughly: tags dropped, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_orders_page_counts_orders_per_state_and_lists_them(browser, seeded):
    page = browser.get("/wholesale/orders")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = text_of(page.text)
    assert "all: 5" in text  # three queued orders, two ad-hoc runs
    assert re.search(r"failed 2 \(1 ad hoc\)", text)
    assert re.search(r"succeeded 2 \(1 ad hoc\)", text)
    assert re.search(r"queued 1\b", text)
    assert re.search(r"running 0\b", text)
    for external_id in ("acme-dental-0001", "globex-clinic-0002", "initech-0003"):
        assert external_id in text
    assert f'href="/wholesale/orders/{seeded.failed_order}"' in page.text


def test_orders_page_filters_by_state(browser, seeded):
    text = text_of(browser.get("/wholesale/orders", params={"state": "failed"}).text)

    assert "acme-dental-0001" in text
    assert "globex-clinic-0002" not in text
    assert "initech-0003" not in text
    assert "umbrella-ad-hoc-0009" not in text  # the ad-hoc run succeeded
    assert "stark-ad-hoc-0010" in text


def test_orders_page_refuses_an_unknown_state_naming_the_choices(browser, seeded):
    page = browser.get("/wholesale/orders", params={"state": "lost"})

    assert page.status_code == 400
    assert "state: must be one of queued, claimed, running" in page.text


def test_orders_page_searches_by_part_of_the_external_id_ignoring_case(browser, seeded):
    text = text_of(browser.get("/wholesale/orders", params={"q": "GLOBEX"}).text)

    assert "globex-clinic-0002" in text
    assert "acme-dental-0001" not in text
    assert "initech-0003" not in text
    assert "umbrella-ad-hoc-0009" not in text


def test_search_finds_a_customer_name_and_a_subscriber_email(browser, sqlite_engine, seeded):
    order = order_data("wayne-0011", "Wayne Dental")
    order["subscribers"][1]["email"] = "alfred.p@wayne-dental.example.com"
    enqueue(sqlite_engine, [QueuedOrder(parse_order(order), "wayne.json")])

    by_name = text_of(browser.get("/wholesale/orders", params={"q": "globex clinic"}).text)
    by_email = text_of(browser.get("/wholesale/orders", params={"q": "ALFRED.P@wayne"}).text)
    adhoc_by_name = text_of(browser.get("/wholesale/orders", params={"q": "Umbrella Labs"}).text)

    assert "globex-clinic-0002" in by_name
    assert "acme-dental-0001" not in by_name
    assert "wayne-0011" in by_email
    assert "globex-clinic-0002" not in by_email
    assert "umbrella-ad-hoc-0009" in adhoc_by_name
    assert "stark-ad-hoc-0010" not in adhoc_by_name


def test_a_failed_ad_hoc_run_comes_first_with_its_error(browser, seeded):
    text = text_of(browser.get("/wholesale/orders").text)

    adhoc = text.split("Ad-hoc runs")[1]
    assert adhoc.index("stark-ad-hoc-0010") < adhoc.index("umbrella-ad-hoc-0009")
    assert "1 subscriber(s) failed" in adhoc.split("umbrella-ad-hoc-0009")[0]  # the failed run's error column


def test_a_page_refreshes_itself_while_something_moves_and_only_then(browser, sqlite_engine, seeded):
    refresh = '<meta http-equiv="refresh"'

    assert refresh in browser.get("/wholesale/orders").text  # an order waits in the queue
    assert refresh in browser.get(f"/wholesale/orders/{seeded.queued_order}").text
    assert refresh not in browser.get(f"/wholesale/orders/{seeded.failed_order}").text
    assert refresh not in browser.get(f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}").text
    record_run_start(sqlite_engine, DAG_ID, "manual__running", "walk-in-1", "Walk-in")
    assert refresh in browser.get(f"/wholesale/runs/{DAG_ID}/manual__running").text
    cancel(sqlite_engine, seeded.queued_order)
    with sqlite_engine.begin() as conn:
        conn.execute(run_table.delete().where(run_table.c.dag_run_id == "manual__running"))
    assert refresh not in browser.get("/wholesale/orders").text


def test_search_takes_wildcards_literally(browser, seeded):
    text = text_of(browser.get("/wholesale/orders", params={"q": "%"}).text)

    assert "No order matches" in text


def test_ad_hoc_runs_are_listed_by_customer(browser, seeded):
    page = browser.get("/wholesale/orders")
    text = text_of(page.text)

    assert "Ad-hoc runs" in text
    assert "Umbrella Labs umbrella-ad-hoc-0009" in text
    assert f'href="/wholesale/runs/{DAG_ID}/manual__2026-12-01T10%3A00%3A00%2B00%3A00"' in page.text
    assert text_of(browser.get("/wholesale/orders", params={"q": "umbrella"}).text).count("umbrella-ad-hoc-0009") == 1


def test_order_page_shows_summary_history_outcomes_audit_and_its_dag_run(browser, seeded):
    page = browser.get(f"/wholesale/orders/{seeded.failed_order}")

    assert page.status_code == 200
    text = text_of(page.text)
    assert "Order 1: Acme Dental Group failed" in text
    assert "acme-dental-0001" in text
    assert "orders.csv" in text
    assert CUSTOMER_ID in text
    # State history, oldest first.
    assert re.search(r"queued .*claimed .*running .*failed", text.split("State history")[1].split("Runs")[0])
    # The link to the run's page in Airflow's UI, and to its report page here.
    assert f'href="/dags/{DAG_ID}/runs/{seeded.failed_run}"' in page.text
    assert f'href="/wholesale/runs/{DAG_ID}/{seeded.failed_run}"' in page.text
    # Subscribers' outcomes: the failure first, with its reason, Webex error code and tracking id.
    subscribers = text.split("Subscribers (3, failures first)")[1]
    assert subscribers.index(FAILED_EMAIL) < subscribers.index("it-admin@acme-dental.example.com")
    assert FAILED_REASON in text
    assert "400106" in text
    assert FAILED_TRACKING_ID in text
    # Audit records: failures first, each with Webex's tracking id.
    audit = text.split("Audit records (4, failures first)")[1]
    assert audit.index("409") < audit.index("200")
    assert "POST /wholesale/subscribers" in audit
    assert FAILED_TRACKING_ID in audit


def test_report_puts_failures_and_their_reasons_before_everything_else(browser, seeded):
    text = text_of(browser.get(f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}").text)

    failures = text.index("What failed (2)")
    assert failures < text.index("Onboarding template (provisioningId)") < text.index("Subscribers (3")
    assert f"{FAILED_EMAIL} ({FAILED_NAME}) : {FAILED_REASON}" in text
    assert "step provision_subscribers : 1 of 2 subscribers failed" in text


def test_a_failed_orders_page_shows_the_order_itself_and_what_to_do_next(browser, seeded):
    text = text_of(browser.get(f"/wholesale/orders/{seeded.failed_order}").text)

    next_steps = text.split("What to do next")[1].split("The order")[0]
    assert f"wholesale-queue retry {seeded.failed_order}" in next_steps
    assert f"wholesale-queue cancel {seeded.failed_order}" in next_steps
    ordered = text.split("The order")[1].split("State history")[0]
    assert "demo-us-all" in ordered
    assert "771 Alder Drive" in ordered
    assert "Subscribers (4)" in ordered
    assert re.search(r"it-admin@acme-dental\.example\.com Dana Admin webex_suite administrator", ordered)
    assert "Morgan Lee" in ordered


def test_a_failures_reason_is_said_once_above_the_audit_records(browser, seeded):
    """In "What failed", not again in the subscriber or step tables, the order's summary or its state history
    (the audit records keep their own copy)."""
    for path in (f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}", f"/wholesale/orders/{seeded.failed_order}"):
        text = text_of(browser.get(path).text)

        assert text.split("Audit records")[0].count(FAILED_REASON) == 1, path


def test_subscribers_are_named_in_the_report_and_the_audit_records(browser, seeded):
    for path in (f"/wholesale/orders/{seeded.failed_order}", f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}"):
        text = text_of(browser.get(path).text)

        report, audit = text.split("Subscribers (3, failures first)")[1].split("Audit records")
        assert f"{FAILED_EMAIL} {FAILED_NAME} failed" in report, path
        assert "Riley Front" in report, path
        assert audit.count(f"{FAILED_EMAIL} {FAILED_NAME}") == 2, path  # the API call and the outcome


def test_every_time_on_a_page_is_written_one_way(browser, seeded):
    for path in (f"/wholesale/orders/{seeded.failed_order}", f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}"):
        text = text_of(browser.get(path).text)

        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text), path  # no ISO 8601 beside the page's format
        assert re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?! UTC)", text) == [], path
        assert "2026-12-01 09:00:42 UTC" in text, path  # the report's finishedAt, written as the rest


def test_run_page_shows_the_report_and_the_runs_audit(browser, seeded):
    page = browser.get(f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}")

    assert page.status_code == 200
    text = text_of(page.text)
    assert f"Onboarding run {seeded.failed_run} failed" in text
    assert "Report: failed " in text
    assert webex_id("ORGANIZATION", 1) in text
    assert "Audit records (4, failures first)" in text
    assert f'href="/wholesale/orders/{seeded.failed_order}"' in page.text


def test_ad_hoc_run_page_shows_its_customer_and_report(browser, seeded):
    text = text_of(browser.get(f"/wholesale/runs/{DAG_ID}/{seeded.adhoc_run}").text)

    assert "Umbrella Labs (externalId umbrella-ad-hoc-0009 )" in text
    assert "ad hoc (inline order)" in text
    assert "Report: succeeded " in text
    assert "Audit records (2, failures first)" in text


def test_run_page_of_a_run_without_a_record_says_so(browser, seeded):
    page = browser.get("/wholesale/runs/webex_wholesale_queue/scheduled__2026-12-01T10:00:00+00:00")

    assert page.status_code == 200
    assert "No Wholesale record for this run" in page.text
    assert "No audit record yet" in page.text


def test_unknown_order_is_a_404_page(browser, seeded):
    page = browser.get("/wholesale/orders/999")

    assert page.status_code == 404
    assert "no order with id 999" in page.text


def test_report_fields_added_later_are_shown_not_dropped(browser, sqlite_engine, seeded):
    from sqlalchemy import update

    from webex_wholesale.state.schema import run_table

    extra = {
        "setupAssistToSubmit": {"channel": "by hand", "form": {"customerName": "Acme Dental Group", "seats": 3}},
        "requestedNotSent": [{"what": "Setup Assist", "why": "no webex_setup_assist_default connection"}],
    }
    with sqlite_engine.begin() as conn:
        report = conn.execute(run_table.select().where(run_table.c.dag_run_id == seeded.failed_run)).one().report_json
        conn.execute(
            update(run_table).where(run_table.c.dag_run_id == seeded.failed_run).values(report_json={**report, **extra})
        )

    text = text_of(browser.get(f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}").text)

    assert "Setup assist to submit" in text
    assert "by hand" in text
    assert "seats 3" in text
    assert "Requested not sent" in text
    assert "no webex_setup_assist_default connection" in text


def test_customer_data_is_escaped(browser, seeded):
    page = browser.get("/wholesale/orders")

    assert "Initech &lt;b&gt;Ltd&lt;/b&gt;" in page.text
    assert "<b>Ltd</b>" not in page.text


def test_un_migrated_database_says_how_to_fix_it(fresh_postgres_url, mint_token):
    from webex_wholesale.state.store import open_state

    client = mounted_client(lambda: open_state(fresh_postgres_url))[1]
    client.cookies.set("_token", mint_token())

    page = client.get("/wholesale/orders")

    assert page.status_code == 503
    assert "wholesale-queue db upgrade" in page.text


def test_a_change_run_waiting_for_approval_shows_its_plan(browser, sqlite_engine):
    from webex_wholesale.state import runs

    run_id = "manual__2026-12-02T09:00:00+00:00"
    runs.record_run_start(sqlite_engine, "webex_wholesale_change", run_id, "tidewater-dental-4", "Tidewater Dental")
    runs.record_plan(sqlite_engine, run_id, "- subscribers to remove: 1\n- remove `hygienist@tidewater.example.org`")

    text = text_of(browser.get(f"/wholesale/runs/webex_wholesale_change/{run_id}").text)

    assert f"Change run {run_id}" in text
    assert "Plan - subscribers to remove: 1 - remove `hygienist@tidewater.example.org`" in text
    assert "Applied once approved" in text
    assert "No report yet" in text


def test_a_change_runs_report_has_no_subscriber_section_of_an_onboarding(browser, sqlite_engine):
    from webex_wholesale.models.lifecycle_report import LifecycleReport
    from webex_wholesale.models.states import RunOutcome
    from webex_wholesale.state import runs

    run_id = "manual__2026-12-03T09:00:00+00:00"
    runs.record_run_start(sqlite_engine, "webex_wholesale_change", run_id, "tidewater-dental-5", "Tidewater Dental")
    report = LifecycleReport(runId=run_id, kind="change", externalId="tidewater-dental-5")
    runs.finish_run(sqlite_engine, run_id, RunOutcome.SUCCEEDED, report=report.model_dump(mode="json", by_alias=True))

    text = text_of(browser.get(f"/wholesale/runs/webex_wholesale_change/{run_id}").text)

    assert f"Change run {run_id} succeeded" in text
    assert "Report: succeeded" in text
    assert "Subscribers (" not in text
