"""Separate processes share one budget, counted by the simulator's own request log (no timing thresholds).

The simulator allows ``RATE`` requests per second with bursts of ``RATE``. Two workers with a ceiling of ``RATE``
each would send ``2 x RATE`` per second if they did not share a budget, and the simulator would answer about one
in four 429; sharing one, they stay at ``RATE`` together and the simulator answers none. One 429 is tolerated: on a
loaded 2-core machine a worker descheduled after taking its slots can send two at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from webex_wholesale.budget import open_budget
from webex_wholesale.ids import BUDGET_CONN_ID
from wholesale_sim.config import SimConfig
from wholesale_sim.testing import running_simulator

pytestmark = pytest.mark.processes  # fresh interpreters that import Airflow: not in make test-fast


@dataclass(frozen=True)
class Worker:
    proc: subprocess.Popen
    out: Path


RATE = 10
WORKER = Path(__file__).with_name("budget_worker.py")
SIM_TOKEN = "budget-test-token"


@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.services)])
def store_env(request, tmp_path: Path) -> dict[str, str]:
    """The environment that points workers at one store: the same AIRFLOW_HOME file, or the real Redis."""
    env = {"AIRFLOW_HOME": str(tmp_path)}
    if request.param == "redis":
        env[f"AIRFLOW_CONN_{BUDGET_CONN_ID.upper()}"] = request.getfixturevalue("redis_url")
    return env


@pytest.fixture
def started() -> Iterator[list[Worker]]:
    """The worker processes a test started; any still running when it ends (a failed test) are killed."""
    workers: list[Worker] = []
    yield workers
    for worker in workers:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait()


def start_workers(
    started: list[Worker], env: dict[str, str], go: Path, count: int, threads: int, workers: int
) -> list[Worker]:
    """Start the workers and wait until each has opened the budget (Airflow's import takes seconds)."""
    for number in range(workers):
        out = go.with_name(f"worker-{number}.json")
        command = [sys.executable, str(WORKER), str(go), str(count), str(threads), str(out)]
        proc = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
        started.append(Worker(proc, out))
    for worker in started[-workers:]:
        while not worker.out.with_suffix(".ready").exists():
            assert worker.proc.poll() is None, "worker died before it was ready"
            time.sleep(0.05)
    return started[-workers:]


def finish(workers: list[Worker]) -> list[dict]:
    results = []
    for worker in workers:
        assert worker.proc.wait(timeout=300) == 0
        results.append(json.loads(worker.out.read_text()))
    return results


def customer_calls(sim) -> list[dict]:
    return [r for r in sim.state()["requests"] if r["path"] == "/v1/wholesale/customers"]


def sim_connection(sim, **extra) -> dict[str, str]:
    conn = {"conn_type": "webex_wholesale", "host": sim.base_url, "password": SIM_TOKEN, "extra": extra}
    return {"AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT": json.dumps(conn)}


def cleanup_redis(store_env: dict[str, str], sim) -> None:
    url = store_env.get(f"AIRFLOW_CONN_{BUDGET_CONN_ID.upper()}")
    if url:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"*{sim.base_url}*"):
            client.delete(key)


def test_two_processes_stay_within_one_configured_budget(store_env, tmp_path, started):
    with running_simulator(SimConfig(token=SIM_TOKEN, rate_limit=RATE)) as sim:
        env = {**store_env, **sim_connection(sim, requests_per_second=RATE)}
        go = tmp_path / "go"
        procs = start_workers(started, env, go, count=20, threads=4, workers=2)
        go.touch()
        stats = finish(procs)
        calls = customer_calls(sim)
        cleanup_redis(store_env, sim)
    statuses = [c["status"] for c in calls]
    assert statuses.count(200) == 40  # every call done
    assert statuses.count(429) <= 1
    assert sum(s["requests"] for s in stats) == len(calls)  # the budget saw every request the simulator saw


def test_a_429_pauses_workers_in_other_processes(tmp_path, monkeypatch, started):
    """The 429 comes while the worker is ready, before it sends: it cannot have finished first, however loaded the
    machine. The pause is long against the moment the worker takes to start sending, so it must wait part of it."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    with running_simulator(SimConfig(token=SIM_TOKEN)) as sim:
        env = {"AIRFLOW_HOME": str(tmp_path), **sim_connection(sim, requests_per_second=RATE)}
        go = tmp_path / "go"
        (worker,) = start_workers(started, env, go, count=20, threads=4, workers=1)
        # this process got a 429 with Retry-After: 3 on the same connection
        budget = open_budget("webex_wholesale_default", sim.base_url, RATE)
        budget.answered(budget.acquire(), 429, latency=0.1, retry_after=3.0)
        go.touch()
        (stats,) = finish([worker])
    assert stats["requests"] == 20
    assert stats["throttled"] == 0  # the worker never got a 429 itself...
    assert stats["pausedSeconds"] > 0  # ...and still waited out the other process's Retry-After
