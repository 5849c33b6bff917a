"""``wholesale-queue export``: an order's outcomes in the import's own CSV columns, and back in as they are."""

from __future__ import annotations

import csv
import io
import json

from state_helpers import order_data, queued

from webex_wholesale.queue.cli import main
from webex_wholesale.queue.export import EXPORT_COLUMNS
from webex_wholesale.state import orders, runs

DAG_ID = "webex_wholesale_onboarding"


def finished_with_one_failure(engine) -> tuple[int, dict]:
    """An order of three whose run provisioned the first, never reached the second and failed the third."""
    data = order_data("export-0001", subscribers=3)
    (order_id,) = orders.enqueue(engine, [queued("export-0001", subscribers=3)])
    (claim,) = orders.claim(engine, 1)
    runs.begin_order_run(engine, order_id, DAG_ID, claim.dag_run_id)
    emails = [s["email"] for s in data["subscribers"]]
    report = {
        "subscribers": [
            {"email": emails[0], "result": "provisioned", "subscriberId": "SUB-0", "trackingId": "WWA_0"},
            {"email": emails[2].upper(), "result": "failed", "errorCodes": [400106, 400110], "trackingId": "WWA_2",
             "message": "User is already part of another Webex organization"},
        ]
    }  # fmt: skip
    runs.finish_run(engine, claim.dag_run_id, "failed", report=report)
    return order_id, data


def test_export_writes_one_row_per_subscriber_with_its_outcome(state_db, capsys):
    order_id, data = finished_with_one_failure(state_db)

    assert main(["export", str(order_id)]) == 0

    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out[out.index(",".join(EXPORT_COLUMNS)) :])))  # after Airflow's log line
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [r["email"] for r in rows] == [s["email"] for s in data["subscribers"]]
    assert [r["result"] for r in rows] == ["provisioned", "", "failed"]  # the second was never reached
    assert (rows[0]["subscriberId"], rows[0]["trackingId"]) == ("SUB-0", "WWA_0")
    assert (rows[2]["errorCodes"], rows[2]["trackingId"]) == ("400106 400110", "WWA_2")
    assert rows[2]["message"] == "User is already part of another Webex organization"
    assert (rows[2]["package"], rows[2]["lastName"]) == ("webex_meetings", "Number2")


def test_the_failed_rows_go_back_in_with_wholesale_queue_add(state_db, capsys, tmp_path):
    order_id, data = finished_with_one_failure(state_db)
    exported = tmp_path / "outcomes.csv"
    assert main(["export", "export-0001", "-o", str(exported)]) == 0
    header, *rows = exported.read_text().splitlines()
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("\n".join([header, *(row for row in rows if ",failed," in row)]) + "\n")
    customer = tmp_path / "customer.json"
    customer.write_text(json.dumps({k: v for k, v in data.items() if k != "subscribers"}))

    assert main(["add", str(fixed), "--customer", str(customer)]) == 0

    again = orders.find_order(state_db, "export-0001")
    assert again["id"] != order_id
    assert again["order_json"]["subscribers"] == [data["subscribers"][2]]


def test_export_of_an_unknown_order_is_refused(state_db, capsys):
    assert main(["export", "999"]) == 1
    assert "no order with id or externalId '999'" in capsys.readouterr().err
