"""Fixtures of the simulator tests: an authenticated session, a provisioned customer, custom-configured sims."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sim_payloads import api_session, provisioned_customer

from wholesale_sim.config import SimConfig
from wholesale_sim.testing import RunningSimulator, running_simulator

SIM_TOKEN = "sim-test-token"


@pytest.fixture(scope="module")
def module_simulator() -> Iterator[RunningSimulator]:
    """One simulator for a whole module, for rule tests that only need unique ids (saves a start per test)."""
    with running_simulator(SimConfig(token=SIM_TOKEN, provision_delay=0.1)) as sim:
        yield sim


@pytest.fixture
def api(simulator) -> Iterator[requests.Session]:
    """A session carrying the shared ``simulator`` fixture's bearer token."""
    with api_session(simulator.token) as session:
        yield session


@pytest.fixture
def customer(api, simulator) -> dict[str, Any]:
    """A provisioned customer with calling and meetings on the shared simulator."""
    return provisioned_customer(api, simulator.base_url)


@pytest.fixture
def api_factory() -> Iterator[Callable[..., tuple[requests.Session, RunningSimulator]]]:
    """Start a simulator with the given ``SimConfig`` overrides; returns an authenticated session and the sim."""
    with contextlib.ExitStack() as stack:

        def start(**overrides: Any) -> tuple[requests.Session, RunningSimulator]:
            config = SimConfig(**{"token": SIM_TOKEN, "provision_delay": 0.2, **overrides})
            sim = stack.enter_context(running_simulator(config))
            return stack.enter_context(api_session(sim.token)), sim

        yield start
