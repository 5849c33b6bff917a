"""Fixtures for the hook and budget tests: a connection injected as AIRFLOW_CONN_*, and hooks on a fake clock.

A fixture module, not a conftest, because two test folders use it: each one's ``conftest.py`` imports it.

The fake clock lets a test see the waits the hook would sleep (retries in ``waits``, budget slots in
``fake_time.budget_waits``) without sleeping them, while the budget's store stays the real SQLite one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers.hook_helpers import BASE, TOKEN, set_connection


class FakeTime:
    """A clock that only moves when somebody sleeps on it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.waits: list[float] = []
        self.budget_waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def retry_sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def budget_sleep(self, seconds: float) -> None:
        self.budget_waits.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def own_budget_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Hooks built without an injected budget get the embedded store of this test alone (no pause leaks)."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(monkeypatch, host=BASE, password=TOKEN)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def waits(fake_time: FakeTime) -> list[float]:
    """The retry waits hooks from ``make_hook`` asked for, in order."""
    return fake_time.waits


@pytest.fixture
def make_budget(fake_time: FakeTime, tmp_path: Path):
    """Build budgets on the fake clock, on a real SQLite store of this test."""
    from webex_wholesale.budget import ApiBudget
    from webex_wholesale.budget.rules import BudgetPolicy
    from webex_wholesale.budget.store import LocalBudgetStore

    def factory(ceiling: float | None = None, key: str = "test") -> ApiBudget:
        store = LocalBudgetStore(tmp_path / "budget.sqlite", clock=fake_time.clock)
        policy = BudgetPolicy(ceiling=ceiling)
        return ApiBudget(store, key, policy, sleep=fake_time.budget_sleep, clock=fake_time.clock)

    return factory


@pytest.fixture
def make_hook(connection, fake_time: FakeTime, make_budget):
    """Build hooks on the default connection whose retry and budget waits are recorded instead of slept."""
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

    def factory(**kwargs: Any) -> WebexWholesaleHook:
        kwargs.setdefault("budget", make_budget())
        hook = WebexWholesaleHook(**kwargs)
        hook.sleep = fake_time.retry_sleep
        return hook

    return factory


@pytest.fixture
def hook(make_hook):
    return make_hook()


@pytest.fixture
def logs():
    """The hook's log events (Airflow 3 hooks log through structlog, which pytest's caplog does not see)."""
    import structlog

    with structlog.testing.capture_logs() as captured:
        yield captured
