"""A change or offboarding that fails is told like an onboarding: one message per channel, saying which run."""

from __future__ import annotations

import pytest
from lifecycle_helpers import CHANGE_DAG, base_order

pytestmark = pytest.mark.airflow_run


def test_a_failed_change_is_told_once_with_its_problem(run_dag, inbox, space):
    run = run_dag(CHANGE_DAG, base_order("fjord-bikes-never-told"), "change_report")

    assert run.report["outcome"] == "failed"
    (mail,) = inbox.messages
    assert mail["Subject"] == "Webex Wholesale: fjord-bikes-never-told: failed"
    assert "Change failed." in inbox.html(0)
    assert "onboard it first" in inbox.html(0)
    (message,) = space.state()["messages"]
    assert "Change failed." in message["markdown"]
