"""A big order is kept once in XCom: the batches carry what they send, and nothing keeps a second copy.

Before, every subscriber sat in XCom three times (the order's pieces, the batches planned from them, and the
``return_value`` of the ``multiple_outputs`` validation) and twice more as outcomes; a 10,000-subscriber run
peaked at 1.34 GB.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from dag_helpers import DAG_ID, DEMO_ORDER, order_with
from sqlalchemy import select

pytestmark = pytest.mark.airflow_run

#: More than the report's table (200 rows): the report's XCom keeps counts and failures, the state DB the table.
SUBSCRIBERS = 260


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def xcom_values(run_id: str) -> list[Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.scalars(select(XComModel).where(XComModel.dag_id == DAG_ID, XComModel.run_id == run_id))
        return [XComModel.deserialize_value(row) for row in rows]


def test_each_subscriber_appears_once_across_the_runs_xcom(run_order):
    from webex_wholesale.state.engine import get_engine
    from webex_wholesale.state.schema import run_table

    users = [
        {
            "email": f"user{i:05d}@once.example.com",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": "User", "lastName": f"{i:05d}"},
        }
        for i in range(2, SUBSCRIBERS + 1)
    ]
    admin = DEMO_ORDER["subscribers"][0]
    # The customer's contact is the customer's own field (precheck and customer bodies), not a subscriber's copy.
    info = {**DEMO_ORDER["customerInfo"], "primaryEmail": "contact@once.example.com"}
    order = order_with(externalId="once-in-xcom", customerInfo=info, subscribers=[admin, *users], setupAssistance=None)

    run = run_order(order)

    assert run.state == "success", run.task_states
    emails = [admin["email"], *(u["email"] for u in users)]
    seen = Counter(s for value in xcom_values(run.run_id) for s in strings(value))
    assert {email: seen[email] for email in emails} == dict.fromkeys(emails, 1)
    assert run.report["counts"] == {"provisioned": SUBSCRIBERS}
    assert run.report["subscribers"] == []  # failures first: there are none
    with get_engine().connect() as conn:
        stored = conn.scalar(select(run_table.c.report_json).where(run_table.c.dag_run_id == run.run_id))
    assert [s["email"] for s in stored["subscribers"]] == emails  # the full table, in the state database
    assert stored["adminEmail"] == admin["email"]
