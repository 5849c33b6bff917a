"""``wholesale-queue add --kind``: change and offboarding orders enter the queue as onboardings do, through the
loader's one check per kind, and refusals name the field and the reason."""

from __future__ import annotations

from state_helpers import order_data
from test_queue_cli import EXAMPLE_CSV, EXAMPLE_CUSTOMER, run_cli, write_json

from webex_wholesale.models import parse_order
from webex_wholesale.models.states import OrderKind
from webex_wholesale.state import orders


def test_a_change_order_is_queued_with_its_kind_and_remove_unlisted(state_db, capsys, tmp_path):
    change = {**order_data("acme-change"), "removeUnlisted": True}
    status, out, err = run_cli(capsys, "add", "--kind", "change", write_json(tmp_path / "change.json", change))
    assert (status, err) == (0, "")
    assert "kind change, removing unlisted subscribers" in out
    stored = orders.find_order(state_db, "acme-change")
    assert stored["kind"] is OrderKind.CHANGE
    assert stored["order_json"]["removeUnlisted"] is True
    parse_order(orders.order_fields(stored["order_json"]), desired_state=True)  # the order alone, as the checks read it

    _, out, _ = run_cli(capsys, "list")
    assert out.splitlines()[1].split()[:3] == [str(stored["id"]), "change", "acme-change"]


def test_a_change_order_without_remove_unlisted_stores_no_flag(state_db, capsys, tmp_path):
    assert (
        run_cli(capsys, "add", "--kind", "change", write_json(tmp_path / "c.json", order_data("plain-change")))[0] == 0
    )
    assert "removeUnlisted" not in orders.find_order(state_db, "plain-change")["order_json"]


def test_an_offboarding_order_is_queued_with_its_kind(state_db, capsys, tmp_path):
    offboard = {"externalId": "leaving-0001", "confirmExternalId": "leaving-0001"}
    status, out, err = run_cli(capsys, "add", "--kind", "offboard", write_json(tmp_path / "off.json", offboard))
    assert (status, err) == (0, "")
    assert "leaving-0001 (0 subscribers)" in out
    stored = orders.find_order(state_db, "leaving-0001")
    assert (stored["kind"], stored["order_json"]) == (OrderKind.OFFBOARD, offboard)
    _, out, _ = run_cli(capsys, "show", "leaving-0001")
    assert "kind:              offboard" in out


def test_a_mismatched_confirmation_is_refused_naming_the_field(state_db, capsys, tmp_path):
    offboard = {"externalId": "leaving-0001", "confirmExternalId": "leaving-0002"}
    status, _, err = run_cli(capsys, "add", "--kind", "offboard", write_json(tmp_path / "off.json", offboard))
    assert status == 1
    assert "confirmExternalId: must repeat externalId 'leaving-0001' exactly" in err
    assert orders.list_orders(state_db) == []


def test_remove_unlisted_is_a_change_orders_option_and_a_flag(state_db, capsys, tmp_path):
    onboarding = write_json(tmp_path / "on.json", {**order_data("new-one"), "removeUnlisted": True})
    status, _, err = run_cli(capsys, "add", onboarding)
    assert status == 1
    assert "removeUnlisted: only a change order takes it (this order is 'onboard')" in err
    change = write_json(tmp_path / "change.json", {**order_data("acme"), "removeUnlisted": "yes"})
    status, _, err = run_cli(capsys, "add", "--kind", "change", change)
    assert status == 1
    assert "removeUnlisted: must be true or false, not 'yes'" in err
    assert orders.list_orders(state_db) == []


def test_an_offboarding_is_not_read_from_a_csv(state_db, capsys):
    status, _, err = run_cli(capsys, "add", "--kind", "offboard", EXAMPLE_CSV, "--customer", EXAMPLE_CUSTOMER)
    assert status == 1
    assert "an offboarding is a JSON order" in err
    assert orders.list_orders(state_db) == []


def test_a_change_may_come_as_a_csv_of_its_desired_subscribers(state_db, capsys):
    status, _, err = run_cli(capsys, "add", "--kind", "change", EXAMPLE_CSV, "--customer", EXAMPLE_CUSTOMER)
    assert (status, err) == (0, "")
    assert orders.list_orders(state_db)[0]["kind"] is OrderKind.CHANGE
