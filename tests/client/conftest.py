"""Fixtures for the API client tests: a connection injected as AIRFLOW_CONN_*, a hook whose waits are recorded."""

from __future__ import annotations

from typing import Any

import pytest
from client_helpers import BASE, TOKEN, set_connection


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(monkeypatch, host=BASE, password=TOKEN)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def make_hook(connection, waits):
    """Build hooks on the default connection whose retry sleeps are recorded instead of slept."""
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

    def factory(**kwargs: Any) -> WebexWholesaleHook:
        hook = WebexWholesaleHook(**kwargs)
        hook.sleep = waits.append
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
