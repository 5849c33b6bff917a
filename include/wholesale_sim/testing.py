"""``running_simulator``: a real simulator on 127.0.0.1 inside the test process, for tests over real HTTP.

Port choice: the default port (8123) and 0 both mean "a free port picked by the OS", so parallel test runs and
a developer's own ``wholesale-sim`` never collide; any other port in the config is used as given.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests

from wholesale_sim.app import create_app
from wholesale_sim.config import DEFAULT_PORT, SimConfig
from wholesale_sim.server import bind, make_server

START_TIMEOUT = 10.0


@dataclasses.dataclass(frozen=True)
class RunningSimulator:
    """Where a running simulator answers, plus shortcuts to its ``/_sim`` endpoints."""

    config: SimConfig
    url: str
    """``http://127.0.0.1:<port>`` (no trailing slash)."""

    @property
    def base_url(self) -> str:
        """The Webex API root, ``<url>/v1``: what a client's connection points at."""
        return f"{self.url}/v1"

    @property
    def token(self) -> str:
        return self.config.token

    def state(self) -> dict[str, Any]:
        response = requests.get(f"{self.url}/_sim/state", timeout=30)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        requests.post(f"{self.url}/_sim/reset", timeout=30).raise_for_status()


@contextlib.contextmanager
def running_simulator(config: SimConfig | None = None) -> Iterator[RunningSimulator]:
    """Run the simulator in a background thread until the block ends; stop it cleanly (state file saved)."""
    config = config or SimConfig()
    port = 0 if config.port == DEFAULT_PORT else config.port
    sock = bind(config.host, port)
    actual = dataclasses.replace(config, port=sock.getsockname()[1])
    server = make_server(create_app(actual))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="wholesale-sim", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield RunningSimulator(config=actual, url=f"http://{actual.host}:{actual.port}")
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT)
        sock.close()


def _wait_started(server: Any, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the simulator thread ended before it started serving")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the simulator did not start within {START_TIMEOUT:.0f} s")
        time.sleep(0.01)
