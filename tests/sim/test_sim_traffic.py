"""Rate limit, latency, seeded faults and slow answers (all off by default)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from types import SimpleNamespace

import pytest
from sim_payloads import customer_body

from wholesale_sim import middleware
from wholesale_sim.config import SimConfig
from wholesale_sim.traffic import rate_limiter

REAL_SLEEP = asyncio.sleep


class LatencySleep:
    """Stands in for the simulator's latency sleep: records the seconds each ``/v1`` request was to sleep, and holds
    each sleeper until ``together`` of them are asleep at once. A simulator that served one request at a time never
    gets there: its clients time out. So concurrency is shown by an event, not by how long four requests took.
    """

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.together = 1
        self._asleep = 0

    def expect(self, together: int) -> None:
        self.together, self._asleep = together, 0

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self._asleep += 1
        while self._asleep < self.together:
            await REAL_SLEEP(0.01)


@pytest.fixture
def latency_sleep(monkeypatch) -> LatencySleep:
    sleep = LatencySleep()
    monkeypatch.setattr(middleware, "asyncio", SimpleNamespace(sleep=sleep))
    return sleep


def statuses(api, url: str, count: int) -> list[int]:
    return [api.get(url, timeout=10).status_code for _ in range(count)]


def test_rate_limit_answers_429_with_retry_after_beyond_the_burst(api_factory, sim_clock):
    api, sim = api_factory(rate_limit=5)
    url = f"{sim.base_url}/wholesale/customers"

    with sim_clock.stopped():  # however slow the requests, no token refills between them
        answers = [api.get(url, timeout=5) for _ in range(8)]
        sim_clock.advance(1.0)
        refilled = api.get(url, timeout=5)

    codes = [r.status_code for r in answers]
    assert codes == [200] * 5 + [429] * 3
    assert {r.headers["Retry-After"] for r in answers[5:]} == {"1"}
    assert answers[5].json()["errors"][0]["errorCode"]
    assert refilled.status_code == 200


def test_a_fixed_window_limit_answers_429_until_the_window_ends(api_factory):
    api, sim = api_factory(rate_limit=5, rate_window=60.0)  # 300 a minute, none of it refilled before its end
    url = f"{sim.base_url}/wholesale/customers"

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: api.get(url, timeout=10), range(310)))

    codes = [r.status_code for r in answers]
    assert codes.count(200) == 300  # the whole window's allowance at once: no bucket spreads it
    limited = [r for r in answers if r.status_code == 429]
    assert len(limited) == 10
    assert all(1 <= int(r.headers["Retry-After"]) <= 60 for r in limited)  # until the window's end


def test_a_fixed_window_starts_each_window_with_a_fresh_count():
    clock = [100.0]
    limiter = rate_limiter(SimConfig(rate_limit=2, rate_window=10.0), clock=lambda: clock[0])
    assert [limiter.acquire() for _ in range(21)] == [None] * 20 + [10]
    clock[0] = 107.5
    assert limiter.acquire() == 3  # whole seconds to the window's end, rounded up
    clock[0] = 125.0  # two windows on: a fresh count
    assert [limiter.acquire() for _ in range(21)] == [None] * 20 + [5]


def test_no_rate_limit_by_default(api, simulator):
    assert set(statuses(api, f"{simulator.base_url}/wholesale/customers", 50)) == {200}


def test_latency_is_added_and_concurrent_requests_are_not_serialized(api_factory, latency_sleep):
    api, sim = api_factory(latency_ms=500)
    url = f"{sim.base_url}/wholesale/customers"

    single = api.get(url, timeout=5)
    latency_sleep.expect(together=4)  # none answers until all four are in their latency at once
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: api.get(url, timeout=60).status_code, range(4)))
    api.get(f"{sim.url}/_sim/state", timeout=5)

    assert single.status_code == 200
    assert codes == [200] * 4
    assert latency_sleep.delays == [0.5] * 5  # only the five /v1 requests are slowed


def test_faults_are_reproducible_for_a_seed(api_factory):
    api_a, sim_a = api_factory(fault_rate=0.5, seed=7)
    api_b, sim_b = api_factory(fault_rate=0.5, seed=7)
    api_c, sim_c = api_factory(fault_rate=0.5, seed=8)

    a = statuses(api_a, f"{sim_a.base_url}/wholesale/customers", 30)
    b = statuses(api_b, f"{sim_b.base_url}/wholesale/customers", 30)
    c = statuses(api_c, f"{sim_c.base_url}/wholesale/customers", 30)

    assert a == b
    assert a != c
    assert 200 in a
    assert set(a) - {200} <= {429, 500, 502, 503}
    assert len(set(a) - {200}) >= 2


def test_reset_restarts_the_fault_sequence(api_factory):
    api, sim = api_factory(fault_rate=0.5, seed=3)
    url = f"{sim.base_url}/wholesale/customers"
    first = statuses(api, url, 20)

    sim.reset()

    assert statuses(api, url, 20) == first


def test_a_faulted_post_creates_nothing(api_factory):
    api, sim = api_factory(fault_rate=1.0)

    responses = [api.post(f"{sim.base_url}/wholesale/customers", json=customer_body(), timeout=5) for _ in range(5)]

    assert all(r.status_code in (429, 500, 502, 503) for r in responses)
    assert all("trackingId" in r.json() for r in responses)
    assert all("Retry-After" in r.headers for r in responses if r.status_code == 429)
    assert sim.state()["customers"] == []


def test_slow_answers_take_slow_ms_longer(api_factory):
    api, sim = api_factory(slow_rate=1.0, slow_ms=250)

    started = time.monotonic()
    response = api.get(f"{sim.base_url}/wholesale/customers", timeout=5)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.25


def test_slow_rate_picks_a_reproducible_fraction(api_factory, latency_sleep):
    def durations(seed: int) -> list[bool]:
        api, sim = api_factory(slow_rate=0.5, slow_ms=300, seed=seed)
        slow = []
        for _ in range(12):
            asked = len(latency_sleep.delays)
            api.get(f"{sim.base_url}/wholesale/customers", timeout=5)
            slow.append(latency_sleep.delays[asked:] == [0.3])  # a fast answer sleeps not at all
        return slow

    first, second = durations(11), durations(11)

    assert first == second
    assert any(first)
    assert not all(first)
