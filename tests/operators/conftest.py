"""Fixtures of the operator tests: the simulator wired in through AIRFLOW_CONN_* variables."""

from __future__ import annotations

import json

import pytest
from wholesale_op_helpers import set_wholesale_connection


@pytest.fixture
def sim(simulator, monkeypatch):
    """The shared simulator fixture, with the Webex and the Setup Assist connections pointing at it."""
    set_wholesale_connection(monkeypatch, simulator)
    monkeypatch.setenv(
        "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT",
        json.dumps({"conn_type": "http", "host": f"{simulator.url}/setup-assist/v1"}),
    )
    return simulator
