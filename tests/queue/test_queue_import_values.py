"""The queue's import checks values as Webex does, from a JSON order or a CSV of subscribers: every value of the
shared table is refused at its index or CSV line and field, and a number the checks normalized is told."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from helpers.order_values import BAD, COUNTRY, PHONE, PHONE_CSV_LINE, Value

from webex_wholesale.queue.cli import main
from webex_wholesale.queue.loader import CSV_COLUMNS, FileProblem, ImportRefused, load_files


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def write_csv_order(tmp_path: Path, order: dict[str, Any]) -> tuple[Path, Path]:
    """The order as the queue's CSV import takes it: its subscribers as rows, the rest as the customer file."""
    rows = [
        {
            "email": subscriber["email"],
            "package": subscriber["packages"][0],
            **{
                column: subscriber["provisioningParameters"].get(target[-1], "")
                for column, target in CSV_COLUMNS.items()
                if target is not None and target[0] == "provisioningParameters"
            },
        }
        for subscriber in order.pop("subscribers")
    ]
    path = tmp_path / "subscribers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path, write_json(tmp_path / "customer.json", order)


@pytest.mark.parametrize("bad", BAD, ids=[bad.id for bad in BAD])
def test_a_json_list_refuses_the_bad_value_at_its_index_and_field(tmp_path, bad):
    path = write_json(tmp_path / "orders.json", [bad.order()])

    with pytest.raises(ImportRefused) as refused:
        load_files([path])

    (problem,) = refused.value.problems
    assert (problem.where, problem.field) == (f"{path}[0]", bad.path)
    assert bad.reason in problem.reason


@pytest.mark.parametrize("bad", BAD, ids=[bad.id for bad in BAD])
def test_a_csv_import_refuses_the_bad_value_at_its_line_or_in_the_customer_file(tmp_path, bad):
    csv_path, customer_path = write_csv_order(tmp_path, bad.order())

    with pytest.raises(ImportRefused) as refused:
        load_files([csv_path], customer=customer_path)

    (problem,) = refused.value.problems
    if bad.path == PHONE:
        assert (problem.where, problem.field) == (f"{csv_path} line {PHONE_CSV_LINE}", "primaryPhoneNumber")
    else:
        assert (problem.where, problem.field) == (str(customer_path), bad.path)
    assert bad.reason in problem.reason


def test_a_number_a_spreadsheet_stripped_of_its_plus_is_queued_in_e164_and_told(tmp_path):
    csv_path, customer_path = write_csv_order(tmp_path, Value(PHONE, "14085550102").order())
    notes: list[FileProblem] = []

    (queued,) = load_files([csv_path], customer=customer_path, notes=notes)

    assert queued.order.subscribers[1].provisioning_parameters.primary_phone_number == "+14085550102"
    assert notes == [
        FileProblem(
            f"{csv_path} line {PHONE_CSV_LINE}",
            "primaryPhoneNumber",
            "'14085550102' is sent as '+14085550102'",
            line=PHONE_CSV_LINE,
        )
    ]


def test_wholesale_queue_add_prints_what_it_normalized(state_db, tmp_path, capsys):
    path = write_json(tmp_path / "order.json", Value(COUNTRY, "us").order())

    assert main(["add", str(path)]) == 0

    assert f"normalized {path}: address.country: 'us' is sent as 'US'" in capsys.readouterr().out
