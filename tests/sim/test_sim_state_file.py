"""--state-file: the state survives a restart; a broken file is refused with a clear message."""

from __future__ import annotations

import pytest
from sim_payloads import api_session, provisioned_customer, subscriber_body

from wholesale_sim.app import create_app
from wholesale_sim.config import SimConfig
from wholesale_sim.persistence import StateFileError
from wholesale_sim.testing import running_simulator


def test_state_survives_a_restart(tmp_path):
    config = SimConfig(token="t", provision_delay=0.1, state_file=tmp_path / "sim-state.json")
    with running_simulator(config) as sim, api_session(sim.token) as api:
        customer = provisioned_customer(api, sim.base_url)
        api.post(
            f"{sim.base_url}/wholesale/subscribers", json=subscriber_body(customer["id"], email="x@y.io"), timeout=5
        )
        api.post(
            f"{sim.base_url}/wholesale/subscribers", json=subscriber_body(customer["id"], email="z@y.io"), timeout=5
        )
        api.post(f"{sim.url}/setup-assist/v1/requests", json={"a": 1}, timeout=5)
        api.post(f"{sim.base_url}/messages", json={"roomId": "ops-space", "text": "kept"}, timeout=5)
        before = sim.state()

    with running_simulator(config) as sim, api_session(sim.token) as api:
        after = sim.state()
        duplicate = api.post(
            f"{sim.base_url}/wholesale/subscribers", json=subscriber_body(customer["id"], email="X@y.io"), timeout=5
        )
        next_intake = api.post(f"{sim.url}/setup-assist/v1/requests", json={"b": 2}, timeout=5)

    for key in ("customers", "subscribers", "admins", "setupAssistRequests", "messages"):
        assert after[key] == before[key], key
    assert after["requests"] == []  # the log is per run
    assert duplicate.status_code == 409  # the email index was rebuilt
    assert next_intake.json()["id"] == "SA-000002"


def test_a_corrupt_state_file_is_refused_naming_it(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")

    with pytest.raises(StateFileError, match=r"broken\.json"):
        create_app(SimConfig(state_file=broken))
