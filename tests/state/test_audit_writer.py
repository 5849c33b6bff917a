"""The audit writer: one row per changing API call and per subscriber outcome, stamped with the run, in batches."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from webex_wholesale.models import SubscriberResult
from webex_wholesale.models.call_record import ApiCallRecord
from webex_wholesale.state.audit import AuditWriter, RunContext
from webex_wholesale.state.schema import audit_table

CONTEXT = RunContext(
    dag_id="webex_wholesale_onboarding",
    dag_run_id="order-7",
    task_id="provision_subscribers",
    map_index=3,
    try_number=2,
    order_id=7,
    customer_external_id="acme-7",
)


def call(method: str = "POST", path: str = "/v1/wholesale/subscribers", **fields) -> ApiCallRecord:
    values = {
        "at": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        "method": method,
        "path": path,
        "http_status": 201,
        "tracking_id": "ROUTER_abc",
        "duration_ms": 12,
        "attempts": 1,
        "subscriber_email": "dr.lee@acme.example.com",
    }
    return ApiCallRecord(**{**values, **fields})


def audit_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(audit_table.select().order_by(audit_table.c.id)).mappings()]


def test_a_changing_call_becomes_one_row_with_the_run_context(engine):
    with AuditWriter(engine, CONTEXT) as writer:
        writer(call(http_status=409, error_codes=(409001,), attempts=3, tracking_id="ROUTER_x"))
        writer.set_customer_id("cust-42")
        writer(call(method="DELETE", path="/v1/wholesale/subscribers/s1", http_status=204))
    first, second = audit_rows(engine)
    assert first == {
        **first,
        "kind": "api_call",
        "dag_id": "webex_wholesale_onboarding",
        "dag_run_id": "order-7",
        "task_id": "provision_subscribers",
        "map_index": 3,
        "try_number": 2,
        "order_id": 7,
        "customer_external_id": "acme-7",
        "customer_id": None,
        "subscriber_email": "dr.lee@acme.example.com",
        "method": "POST",
        "path": "/v1/wholesale/subscribers",
        "http_status": 409,
        "tracking_id": "ROUTER_x",
        "error_codes": [409001],
        "duration_ms": 12,
        "attempts": 3,
        "result": "error",
        "reason": None,
        "at": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    }
    assert (second["customer_id"], second["method"], second["result"], second["attempts"]) == (
        "cust-42",
        "DELETE",
        "ok",
        1,
    )


def test_reads_and_prechecks_are_not_audited(engine):
    with AuditWriter(engine, CONTEXT) as writer:
        writer(call(method="GET", path="/v1/wholesale/customers"))
        writer(call(method="POST", path="/v1/wholesale/customers/validate"))
    assert audit_rows(engine) == []


def test_subscriber_outcomes_are_recorded_with_their_reason(engine):
    with AuditWriter(engine, CONTEXT) as writer:
        writer.subscriber_outcome("a@acme.example.com", SubscriberResult.PROVISIONED, http_status=201, tracking_id="T1")
        writer.subscriber_outcome(
            "b@acme.example.com", SubscriberResult.FAILED, error_codes=[400101], reason="bad extension"
        )
    rows = audit_rows(engine)
    assert [(r["kind"], r["subscriber_email"], r["result"], r["reason"], r["error_codes"]) for r in rows] == [
        ("subscriber_outcome", "a@acme.example.com", "provisioned", None, []),
        ("subscriber_outcome", "b@acme.example.com", "failed", "bad extension", [400101]),
    ]
    assert rows[0]["at"].tzinfo is not None


def test_rows_wait_in_the_buffer_until_a_batch_is_full(engine):
    writer = AuditWriter(engine, CONTEXT, batch_size=5)
    for _ in range(4):
        writer(call())
    assert audit_rows(engine) == []
    writer(call())
    assert len(audit_rows(engine)) == 5
    writer(call())
    writer.close()
    assert len(audit_rows(engine)) == 6
    assert writer.written == 6


def test_worker_threads_can_share_one_writer(engine):
    writer = AuditWriter(engine, CONTEXT, batch_size=17)

    def work(thread: int) -> None:
        for n in range(50):
            writer(call(subscriber_email=f"t{thread}-{n}@acme.example.com"))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    with engine.connect() as conn:
        emails = conn.execute(select(audit_table.c.subscriber_email)).scalars().all()
        assert conn.execute(select(func.count()).select_from(audit_table)).scalar() == 200
    assert len(set(emails)) == 200


def test_run_context_from_an_airflow_task_instance():
    ti = SimpleNamespace(dag_id="d", run_id="r", task_id="t", map_index=-1, try_number=1)
    context = RunContext.from_airflow({"ti": ti}, order_id=3, customer_external_id="x")
    assert context == RunContext("d", "r", "t", None, 1, 3, "x", None)


def test_a_call_without_an_answer_is_recorded_as_no_response_with_its_attempts(engine):
    with AuditWriter(engine, CONTEXT) as writer:
        writer(call(http_status=None, attempts=4, tracking_id=None))
    (row,) = audit_rows(engine)
    assert (row["result"], row["attempts"], row["http_status"]) == ("no_response", 4, None)
    assert row["result"].is_failure
