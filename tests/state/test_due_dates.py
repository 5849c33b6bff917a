"""Due dates: an order may carry ``notBefore``; the queue claims it only from then on. Tested with a fixed clock,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from state_helpers import ROOT, order_data, queued

from webex_wholesale.queue.loader import ImportRefused, load_csv, load_json
from webex_wholesale.state import orders

NOW = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
EXAMPLE_CSV = ROOT / "include" / "orders" / "example-subscribers.csv"
EXAMPLE_CUSTOMER = ROOT / "include" / "orders" / "example-customer.json"


def due_at(external_id: str, not_before: datetime | None) -> orders.QueuedOrder:
    return orders.QueuedOrder(queued(external_id).order, "test", not_before)


def claimed_ids(engine, now: datetime) -> list[int]:
    return [claim.order_id for claim in orders.claim(engine, 10, now=now)]


def test_notbefore_with_a_zone_is_kept_beside_the_order_in_utc():
    (item,) = load_json(json.dumps({**order_data("due-1"), "notBefore": "2026-12-24T09:00:00+01:00"}), "o.json")

    assert item.not_before == NOW
    assert "notBefore" not in item.order.to_conf()  # the onboarding order itself has no due date


def test_notbefore_in_the_customer_part_of_a_csv_import():
    customer = {**json.loads(EXAMPLE_CUSTOMER.read_text()), "notBefore": "2026-12-24T08:00:00Z"}

    (item,) = load_csv(EXAMPLE_CSV.read_text().splitlines(keepends=True), "users.csv", json.dumps(customer))

    assert item.not_before == NOW


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-12-24T09:00:00", "needs a time zone"),
        ("2026-12-24", "needs a time zone"),
        ("Christmas", "not an ISO 8601 date and time: 'Christmas'"),
        (1798099200, "must be an ISO 8601 date and time with a time zone, as a string"),
    ],
)
def test_a_notbefore_that_is_not_a_zoned_time_is_refused_with_the_other_problems(value, reason):
    bad = {**order_data("due-bad"), "notBefore": value}
    bad["address"]["country"] = "USA"

    with pytest.raises(ImportRefused) as refused:
        load_json(json.dumps([order_data("due-ok"), bad]), "o.json")

    assert [(p.where, p.index, p.field) for p in refused.value.problems] == [
        ("o.json[1]", 1, "notBefore"),
        ("o.json[1]", 1, "address.country"),
    ]
    assert reason in refused.value.problems[0].reason


def test_the_queue_claims_an_order_only_once_it_is_due(engine):
    later, past, undated = orders.enqueue(
        engine,
        [
            due_at("due-later", NOW + timedelta(hours=2)),
            due_at("due-past", NOW - timedelta(days=1)),
            due_at("due-now", None),
        ],
    )

    assert claimed_ids(engine, NOW) == [past, undated]
    assert claimed_ids(engine, NOW + timedelta(hours=2) - timedelta(seconds=1)) == []
    assert claimed_ids(engine, NOW + timedelta(hours=2)) == [later]
    assert orders.find_order(engine, later)["not_before"] == NOW + timedelta(hours=2)


def test_is_due_says_what_claim_does():
    assert orders.is_due(None, NOW)
    assert orders.is_due(NOW, NOW)
    assert orders.is_due(NOW - timedelta(seconds=1), NOW)
    assert not orders.is_due(NOW + timedelta(seconds=1), NOW)
