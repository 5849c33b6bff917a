"""Fixtures of the operator tests: the simulator wired in through AIRFLOW_CONN_* variables."""

from __future__ import annotations

import pytest
from helpers import wire_connections


@pytest.fixture
def sim(simulator, monkeypatch):
    """The shared simulator fixture, with the Webex and the Setup Assist connections pointing at it."""
    wire_connections(monkeypatch, simulator)
    return simulator
