"""A 20,000-subscriber order (Control Hub's CSV limit) through the queue's own path: loaded from a CSV, stored,
claimed and handed whole to the run that onboards it, which names it by id (``{"orderId": N}``), not by content."""

from __future__ import annotations

import json

from state_helpers import ROOT

from webex_wholesale.queue.loader import load_csv
from webex_wholesale.state import orders, runs

ROWS = 20_000
DAG_ID = "webex_wholesale_onboarding"


def subscribers_csv(rows: int) -> list[str]:
    lines = ["email,package,firstName,lastName,extension\n"]
    lines += [f"user{n}@big-vet.example.com,webex_calling,User,Number{n},{10000 + n}\n" for n in range(rows)]
    return lines


def test_a_20000_row_csv_is_queued_claimed_and_handed_to_its_run_whole(state_db):
    customer = json.loads((ROOT / "include" / "orders" / "example-customer.json").read_text())
    customer["externalId"] = "big-vet-20000"
    (item,) = load_csv(subscribers_csv(ROWS), "big.csv", json.dumps(customer))

    (order_id,) = orders.enqueue(state_db, [item])
    (claim,) = orders.claim(state_db, 10)
    order = runs.begin_order_run(state_db, order_id, DAG_ID, claim.dag_run_id)

    assert claim.trigger_kwargs["conf"] == {"orderId": order_id}
    assert orders.find_order(state_db, order_id)["subscriber_count"] == ROWS
    assert len(order["subscribers"]) == ROWS
    assert order["subscribers"][-1]["email"] == f"user{ROWS - 1}@big-vet.example.com"
