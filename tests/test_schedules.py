"""A scheduled DAG's schedule from the environment: set, turned off with ``none``, or the default."""

from __future__ import annotations

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
