"""``wholesale-queue``: all-or-nothing imports with precise refusals, and the commands that follow an order."""

from __future__ import annotations

import csv
import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from state_helpers import ROOT, order_data

from webex_wholesale.queue.cli import main
from webex_wholesale.state import orders, runs

EXAMPLE_CSV = ROOT / "include" / "orders" / "example-subscribers.csv"
EXAMPLE_CUSTOMER = ROOT / "include" / "orders" / "example-customer.json"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_example_csv_is_queued_as_one_order(state_db, capsys):
    status, out, err = run_cli(capsys, "add", EXAMPLE_CSV, "--customer", EXAMPLE_CUSTOMER)
    assert (status, err) == (0, "")
    assert "queued order 1: bayside-vet-0001 (4 subscribers)" in out
    stored = orders.find_order(state_db, "bayside-vet-0001")
    subscribers = stored["order_json"]["subscribers"]
    assert subscribers[0] == {
        "email": "office@bayside-vet.example.com",
        "packages": ["webex_suite"],
        "provisioningParameters": {"firstName": "Jordan", "lastName": "Office", "extension": "2001"},
    }
    assert subscribers[1]["provisioningParameters"]["primaryPhoneNumber"] == "+18315550102"
    assert stored["order_json"]["customerInfo"]["name"] == "Bayside Veterinary Clinic"
    assert (stored["state"], stored["subscriber_count"]) == ("queued", 4)


def test_a_json_list_is_queued_whole(state_db, capsys, tmp_path):
    path = write_json(tmp_path / "batch.json", [order_data("list-a"), order_data("list-b", subscribers=3)])
    status, out, _ = run_cli(capsys, "add", path)
    assert status == 0
    assert [(r["external_id"], r["subscriber_count"]) for r in orders.list_orders(state_db)] == [
        ("list-a", 2),
        ("list-b", 3),
    ]
    assert f"from {path}[1]" in out


def test_one_bad_order_in_a_list_refuses_the_whole_file(state_db, capsys, tmp_path):
    bad = order_data("list-bad")
    bad["subscribers"][1]["email"] = "not-an-email"
    path = write_json(tmp_path / "batch.json", [order_data("list-ok"), bad])
    status, out, err = run_cli(capsys, "add", path)
    assert (status, out) == (1, "")
    assert "nothing was queued" in err
    assert f"{path}[1]: subscribers[1].email: value is not a valid email address" in err
    assert orders.list_orders(state_db) == []


def test_bad_csv_rows_are_named_by_line_column_and_reason(state_db, capsys, tmp_path):
    rows = [
        {
            "email": "boss@shop.example.com",
            "package": "webex_suite",
            "firstName": "B",
            "lastName": "S",
            "extension": "1",
        },
        {"email": "no-at-sign", "package": "webex_meetings", "firstName": "A", "lastName": "B", "extension": ""},
        {"email": "c@shop.example.com", "package": "webex_meetings", "firstName": "", "lastName": "C", "extension": ""},
        {"email": "d@shop.example.com", "package": "webex_calling", "firstName": "D", "lastName": "D", "extension": ""},
    ]
    path = write_csv(tmp_path / "users.csv", rows)
    status, _, err = run_cli(capsys, "add", path, "--customer", EXAMPLE_CUSTOMER)
    assert status == 1
    assert f"{path} line 3: email: value is not a valid email address" in err
    assert f"{path} line 4: firstName: required field is missing" in err
    assert f"{path} line 5: extension: webex_calling is a calling package" in err
    assert orders.list_orders(state_db) == []


def test_csv_header_problems_and_a_missing_customer_are_refused(state_db, capsys, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("email,package,firstName,colour\nx@shop.example.com,webex_suite,X,red\n")
    status, _, err = run_cli(capsys, "add", path, "--customer", EXAMPLE_CUSTOMER)
    assert status == 1
    assert f"{path} header: colour: unknown column" in err
    assert f"{path} header: lastName: required column is missing" in err
    status, _, err = run_cli(capsys, "add", EXAMPLE_CSV)
    assert status == 1
    assert f"{EXAMPLE_CSV}: <file>: a CSV of subscribers needs --customer ORDER.json" in err


def test_a_bad_file_among_several_refuses_them_all(state_db, capsys, tmp_path):
    good = write_json(tmp_path / "good.json", order_data("good-one"))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    status, _, err = run_cli(capsys, "add", good, EXAMPLE_CSV, broken, "--customer", EXAMPLE_CUSTOMER)
    assert status == 1
    assert f"{broken}: <file>: not valid JSON" in err
    assert orders.list_orders(state_db) == []


def test_an_external_id_already_queued_or_running_is_refused(state_db, capsys, tmp_path):
    path = write_json(tmp_path / "o.json", order_data("twice"))
    assert run_cli(capsys, "add", path)[0] == 0
    status, _, err = run_cli(capsys, "add", path)
    assert status == 1
    assert "externalId 'twice' is order 1 (queued); nothing was queued" in err
    (claim,) = orders.claim(state_db, 1)
    runs.begin_order_run(state_db, 1, "webex_wholesale_onboarding", claim.dag_run_id)
    status, _, err = run_cli(capsys, "add", path)
    assert "externalId 'twice' is order 1 (running)" in err
    runs.finish_run(state_db, claim.dag_run_id, "succeeded")
    assert run_cli(capsys, "add", path)[0] == 0  # a finished customer may be ordered again
    both = write_json(tmp_path / "both.json", [order_data("dup"), order_data("dup")])
    status, _, err = run_cli(capsys, "add", both)
    assert status == 1
    assert f"externalId 'dup' is in {both}[0] and again in {both}[1]" in err


def test_list_show_retry_and_cancel(state_db, capsys, tmp_path):
    run_cli(capsys, "add", write_json(tmp_path / "o.json", [order_data("first"), order_data("second")]))
    (claim, _) = orders.claim(state_db, 2)
    runs.begin_order_run(state_db, 1, "webex_wholesale_onboarding", claim.dag_run_id)
    runs.finish_run(state_db, claim.dag_run_id, "failed", error="POST /v1/wholesale/customers answered 400")

    status, out, _ = run_cli(capsys, "list", "--state", "failed")
    assert status == 0
    (line,) = out.splitlines()[1:]
    assert line.split()[:5] == ["1", "onboard", "first", "failed", "2"]
    assert line.endswith("UTC")

    status, out, _ = run_cli(capsys, "show", "first")
    assert "order 1: first (Acme Dental Group)" in out
    assert "last error:        POST /v1/wholesale/customers answered 400" in out
    assert "from_state=running  to_state=failed" in out
    assert "dag_run_id=order-1  state=failed" in out

    assert run_cli(capsys, "retry", "1")[0] == 0
    assert orders.find_order(state_db, 1)["state"] == "queued"
    who = f"retry requested by {getpass.getuser()} (wholesale-queue retry)"  # the operator, in the order's history
    assert orders.order_transitions(state_db, 1)[-1]["reason"] == who
    status, _, err = run_cli(capsys, "retry", "1")
    assert status == 1
    assert "order 1 cannot go from 'queued' to 'queued'" in err
    status, _, err = run_cli(capsys, "cancel", "2")
    assert status == 1
    assert "order 2 cannot go from 'claimed' to 'cancelled'" in err
    assert run_cli(capsys, "cancel", "1")[0] == 0
    assert orders.find_order(state_db, 1)["state"] == "cancelled"
    status, _, err = run_cli(capsys, "show", "nobody")
    assert (status, err.strip()) == (1, "wholesale-queue show: no order with id or externalId 'nobody'")


def test_the_console_script_refuses_an_unmigrated_database_and_db_upgrade_fixes_it(fresh_postgres_url):
    env = {**os.environ, "AIRFLOW_CONN_WHOLESALE_DB": fresh_postgres_url}
    script = Path(sys.executable).with_name("wholesale-queue")
    refused = subprocess.run([script, "list"], env=env, capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    assert "has no tables yet: run `wholesale-queue db upgrade`" in refused.stderr
    for expected in ("upgraded from empty to revision", "is already at revision"):
        upgraded = subprocess.run([script, "db", "upgrade"], env=env, capture_output=True, text=True, check=True)
        assert expected in upgraded.stdout
    listed = subprocess.run([script, "list"], env=env, capture_output=True, text=True, check=True)
    assert listed.stdout.splitlines()[-1] == "(no orders)"


@pytest.mark.processes
def test_the_console_script_creates_the_embedded_database_on_first_use(tmp_path):
    env = {**os.environ, "AIRFLOW_CONN_WHOLESALE_DB": f"sqlite:///{tmp_path / 'new.db'}"}
    script = Path(sys.executable).with_name("wholesale-queue")
    listed = subprocess.run([script, "list"], env=env, capture_output=True, text=True, check=True)
    assert listed.stdout.splitlines()[-1] == "(no orders)"
