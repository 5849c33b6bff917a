"""A state database written by revision 0001 still reads right after ``db upgrade``: on every page and in ``show``.

The rows are inserted with raw SQL exactly as the 0001-era code wrote them (the audit result as one string, the
report's outcome as a phrase), then the database is upgraded to the head revision.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from ui_helpers import DAG_ID, mounted_client

from webex_wholesale.queue.cli import main as wholesale_queue
from webex_wholesale.state import migrate
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.schema import audit_table

AT = "2026-12-01 09:00:05.000000+00:00"
FAILED_RUN = "order-1"
DRY_RUN = "manual__2026-12-01T10:00:00+00:00"
REFUSED = "User is already part of another Webex organization: see errorCode 400106"
#: (kind, subscriber, method, HTTP status, 0001's result) -> (result, attempts, reason) after the upgrade.
OLD_AUDIT = {
    ("api_call", "a@acme.example.com", "POST", 201, "ok"): ("ok", 1, None),
    ("api_call", "b@acme.example.com", "POST", 201, "ok after 2 attempts"): ("ok", 2, None),
    ("api_call", "c@acme.example.com", "DELETE", 404, "error"): ("error", 1, None),
    ("api_call", "d@acme.example.com", "POST", 409, "error after 3 attempts"): ("error", 3, None),
    ("api_call", "e@acme.example.com", "POST", None, "no response after 4 attempt(s)"): ("no_response", 4, None),
    ("subscriber_outcome", "a@acme.example.com", None, 201, "provisioned"): ("provisioned", None, None),
    ("subscriber_outcome", "b@acme.example.com", None, 201, "pending_user_migration"): (
        "pending_user_migration",
        None,
        None,
    ),
    ("subscriber_outcome", "c@acme.example.com", None, 200, "already_present"): ("already_present", None, None),
    ("subscriber_outcome", "d@acme.example.com", None, 409, f"failed: {REFUSED}"): ("failed", None, REFUSED),
    ("subscriber_outcome", "e@acme.example.com", None, None, "failed"): ("failed", None, None),
}
FAILED_EMAILS = ("d@acme.example.com", "e@acme.example.com")
#: The reports as 0001-era code published them: the outcome a phrase, since re-judged from the facts.
OLD_FAILED_REPORT = {
    "runId": FAILED_RUN,
    "dryRun": False,
    "outcome": "failed",
    "externalId": "acme-0001",
    "customerName": "Acme Dental Group",
    "counts": {"provisioned": 1, "failed": 2},
    "subscribersOrdered": 3,
    "subscribers": [
        {"email": "a@acme.example.com", "result": "provisioned"},
        {"email": "d@acme.example.com", "result": "failed", "httpStatus": 409, "message": REFUSED},
        {"email": "e@acme.example.com", "result": "failed", "message": "no answer from Webex"},
    ],
    "steps": [{"taskId": "provision_subscribers", "state": "failed", "message": "2 of 3 subscribers failed"}],
}
OLD_DRY_RUN_REPORT = {
    "runId": DRY_RUN,
    "dryRun": True,
    "outcome": "dry run passed",
    "externalId": "umbrella-0009",
    "customerName": "Umbrella Labs",
    "counts": {},
    "subscribersOrdered": 2,
    "subscribers": [],
    "steps": [{"taskId": "validate_order", "state": "success"}],
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def fresh_url(request, tmp_path) -> str:
    """An empty database of its own (never the session's shared PostgreSQL database, which is at head)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wholesale.db'}"
    return request.getfixturevalue("fresh_postgres_url")


def insert(conn: sa.Connection, table: str, **values: Any) -> None:
    """An INSERT by hand: the table and column names are this module's own, the values bound parameters."""
    placeholders = ", ".join(f":{column}" for column in values)
    conn.execute(sa.text(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders})"), values)  # noqa: S608


def write_0001_rows(conn: sa.Connection) -> None:
    """A failed queued order with its run and audit trail, and an ad-hoc dry run, as 0001-era code wrote them."""
    insert(conn, "wholesale_order", id=1, external_id="acme-0001", customer_name="Acme Dental Group",
           state="failed", order_json=json.dumps({"externalId": "acme-0001"}), subscriber_count=3, attempts=1,
           last_error="provision_subscribers: 2 of 3 subscribers failed", dag_run_id=FAILED_RUN,
           source="orders.csv", created_at=AT, updated_at=AT)  # fmt: skip
    for n, (before, after) in enumerate(((None, "queued"), ("queued", "claimed"), ("claimed", "running"),
                                         ("running", "failed")), start=1):  # fmt: skip
        insert(conn, "wholesale_order_transition", id=n, order_id=1, from_state=before, to_state=after, at=AT)
    for n, (run_id, order_id, state, report) in enumerate(
        ((FAILED_RUN, 1, "failed", OLD_FAILED_REPORT), (DRY_RUN, None, "succeeded", OLD_DRY_RUN_REPORT)), start=1
    ):
        insert(conn, "wholesale_run", id=n, dag_id=DAG_ID, dag_run_id=run_id, order_id=order_id,
               customer_external_id=report["externalId"], customer_name=report["customerName"], state=state,
               report_json=json.dumps(report), started_at=AT, ended_at=AT)  # fmt: skip
    for n, ((kind, email, method, status, result), _) in enumerate(OLD_AUDIT.items(), start=1):
        insert(conn, "wholesale_audit", id=n, at=AT, dag_id=DAG_ID, dag_run_id=FAILED_RUN, task_id="provision",
               order_id=1, customer_external_id="acme-0001", subscriber_email=email, kind=kind, method=method,
               path="/v1/wholesale/subscribers" if method else None, http_status=status,
               error_codes=json.dumps([]), result=result)  # fmt: skip


@pytest.fixture
def upgraded(fresh_url) -> Iterator[sa.Engine]:
    engine = create_state_engine(fresh_url)
    assert migrate.upgrade(engine, "0001") == (None, "0001")
    with engine.begin() as conn:
        write_0001_rows(conn)
    assert migrate.upgrade(engine) == ("0001", migrate.SCHEMA_REVISION)
    yield engine
    engine.dispose()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_old_audit_result_is_split_into_result_attempts_and_reason(upgraded):
    with upgraded.connect() as conn:
        rows = conn.execute(audit_table.select().order_by(audit_table.c.id)).mappings().all()
    converted = [(row["result"], row["attempts"], row["reason"]) for row in rows]
    assert converted == list(OLD_AUDIT.values())
    failures = [row["subscriber_email"] for row in rows if row["result"].is_failure]
    assert failures == ["c@acme.example.com", *FAILED_EMAILS, *FAILED_EMAILS]


def test_the_pages_read_the_upgraded_rows(upgraded, mint_token):
    client = mounted_client(upgraded)[1]
    client.cookies.set("_token", mint_token())

    orders = text_of(client.get("/wholesale/orders").text)
    assert re.search(r"failed 1\b", orders)
    assert "Umbrella Labs umbrella-0009" in orders

    order = client.get("/wholesale/orders/1")
    assert order.status_code == 200
    text = text_of(order.text)
    assert "Report: failed " in text
    audit = text.split("Audit records (10, failures first)")[1]
    failures_end = max(audit.index(f"failed: {REFUSED}"), audit.index("error after 3 attempts"),
                       audit.index("no_response after 4 attempts"))  # fmt: skip
    assert failures_end < audit.index("ok after 2 attempts") < audit.index("provisioned")
    assert len(re.findall(r'<tr class="failed">', order.text.split("Audit records")[1])) == 5

    dry_run = text_of(client.get(f"/wholesale/runs/{DAG_ID}/{DRY_RUN}").text)
    assert "Report: succeeded " in dry_run
    assert "Dry run yes" in dry_run


def test_show_reads_the_upgraded_rows(upgraded, fresh_url, monkeypatch, capsys):
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", fresh_url)

    assert wholesale_queue(["show", "1"]) == 0

    out = capsys.readouterr().out
    assert "problem=provision_subscribers: 2 of 3 subscribers failed; 2 subscriber(s) failed" in out
    outcomes = out.split("Subscriber outcomes (failures first):")[1].split("Audit")[0].splitlines()[1:]
    assert [line.split()[0] for line in outcomes if line.strip()] == [
        f"subscriber_email={email}"
        for email in (*FAILED_EMAILS, "a@acme.example.com", "b@acme.example.com", "c@acme.example.com")
    ]
    assert f"result=failed  reason={REFUSED}" in out
    assert "http_status=409  result=error  attempts=3" in out
    assert "subscriber_email=e@acme.example.com  result=no_response  attempts=4" in out
