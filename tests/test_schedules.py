"""A scheduled DAG's schedule from the environment: set, turned off with ``none``, or the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from webex_wholesale.schedules import schedule_from_env


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "@hourly"), ("", "@hourly"), ("  ", "@hourly"), ("*/5 * * * *", "*/5 * * * *"), ("None", None)],
)
def test_schedule_from_env(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("WWA_TEST_SCHEDULE", raising=False)
    else:
        monkeypatch.setenv("WWA_TEST_SCHEDULE", value)

    assert schedule_from_env("WWA_TEST_SCHEDULE", "@hourly") == expected


def test_both_scheduled_dags_run_one_round_at_a_time_without_catching_up(monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    from webex_wholesale.ids import HEALTH_DAG_ID, QUEUE_DAG_ID

    monkeypatch.setenv("WEBEX_WHOLESALE_QUEUE_SCHEDULE", "*/5 * * * *")
    monkeypatch.setenv("WEBEX_WHOLESALE_HEALTH_SCHEDULE", "none")
    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[1] / "dags"))

    queue, health = bag.dags[QUEUE_DAG_ID], bag.dags[HEALTH_DAG_ID]
    assert (queue.catchup, queue.max_active_runs) == (False, 1)
    assert (health.catchup, health.max_active_runs) == (False, 1)
    assert queue.timetable.expression == "*/5 * * * *"  # each reads its own variable
    assert not health.timetable.can_be_scheduled  # "none" turned it off
