"""Rate limit, latency, seeded faults and slow answers (all off by default)."""

from __future__ import annotations

import concurrent.futures
import time

from sim_payloads import customer_body

from wholesale_sim.config import SimConfig
from wholesale_sim.traffic import rate_limiter


def statuses(api, url: str, count: int) -> list[int]:
    return [api.get(url, timeout=10).status_code for _ in range(count)]


def test_rate_limit_answers_429_with_retry_after_beyond_the_burst(api_factory):
    api, sim = api_factory(rate_limit=5)
    url = f"{sim.base_url}/wholesale/customers"

    answers = [api.get(url, timeout=5) for _ in range(8)]

    codes = [r.status_code for r in answers]
    assert codes[:5] == [200] * 5
    assert 429 in codes[5:]
    limited = next(r for r in answers if r.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["errors"][0]["errorCode"]
    time.sleep(1.0)
    assert api.get(url, timeout=5).status_code == 200  # refilled


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


def test_latency_is_added_and_concurrent_requests_are_not_serialized(api_factory):
    api, sim = api_factory(latency_ms=500)
    url = f"{sim.base_url}/wholesale/customers"

    started = time.monotonic()
    single = api.get(url, timeout=5)
    one = time.monotonic() - started
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: api.get(url, timeout=5).status_code, range(4)))
    four = time.monotonic() - started

    assert single.status_code == 200
    assert one >= 0.5
    assert codes == [200] * 4
    assert four < 0.5 * 3  # four in a row would take 2 s; concurrently they take about 0.5 s
    started = time.monotonic()
    api.get(f"{sim.url}/_sim/state", timeout=5)
    assert time.monotonic() - started < 0.5  # only /v1 is slowed


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


def test_slow_rate_picks_a_reproducible_fraction(api_factory):
    def durations(seed: int) -> list[bool]:
        api, sim = api_factory(slow_rate=0.5, slow_ms=300, seed=seed)
        slow = []
        for _ in range(12):
            started = time.monotonic()
            api.get(f"{sim.base_url}/wholesale/customers", timeout=5)
            slow.append(time.monotonic() - started >= 0.3)  # a fast answer takes milliseconds
        return slow

    first, second = durations(11), durations(11)

    assert first == second
    assert any(first)
    assert not all(first)
