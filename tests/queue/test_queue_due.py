"""``wholesale-queue`` with due dates: ``notBefore`` in an order file, and ``add``, ``list`` and ``show`` say when."""

from __future__ import annotations

import json

from state_helpers import order_data

from webex_wholesale.queue.cli import main


def test_add_list_and_show_say_when_an_order_is_due(state_db, capsys, tmp_path):
    later = tmp_path / "later.json"
    later.write_text(json.dumps({**order_data("due-cli-later"), "notBefore": "2099-01-01T09:00:00+01:00"}))
    now = tmp_path / "now.json"
    now.write_text(json.dumps({**order_data("due-cli-now"), "notBefore": "2000-01-01T00:00:00Z"}))

    assert main(["add", str(later), str(now)]) == 0
    added = capsys.readouterr().out
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert main(["show", "due-cli-later"]) == 0
    shown = capsys.readouterr().out

    assert f"queued order 1: due-cli-later (2 subscribers) from {later}; due 2099-01-01 08:00:00 UTC" in added
    assert f"queued order 2: due-cli-now (2 subscribers) from {now}; due now" in added  # a past due date: now
    (later_line,) = [line for line in listed.splitlines() if "due-cli-later" in line]
    (now_line,) = [line for line in listed.splitlines() if "due-cli-now" in line]
    assert "2099-01-01 08:00:00 UTC" in later_line
    assert " now " in now_line
    assert "  due:               2099-01-01 08:00:00 UTC" in shown
