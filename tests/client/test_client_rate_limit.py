"""The token-bucket rate limiter, on a fake clock (no real sleeping)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from webex_wholesale.hooks.rate_limit import RateLimiter


class FakeClock:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


def test_burst_then_steady_rate():
    clock = FakeClock()
    limiter = RateLimiter(10, burst=5, clock=clock, sleep=clock.sleep)
    start = clock.now
    waits = [limiter.acquire() for _ in range(105)]
    assert waits[:5] == [0.0] * 5  # the full bucket
    assert all(w == pytest.approx(0.1) for w in waits[5:])
    # 100 calls beyond the burst at 10/s take 10 s of (fake) time.
    assert clock.now - start == pytest.approx(10.0)


def test_default_burst_is_one_second_of_calls():
    clock = FakeClock()
    limiter = RateLimiter(4, clock=clock, sleep=clock.sleep)
    assert limiter.burst == 4
    assert [limiter.acquire() for _ in range(5)] == [0, 0, 0, 0, pytest.approx(0.25)]
    assert RateLimiter(0.5, clock=clock, sleep=clock.sleep).burst == 1


def test_idle_time_refills_the_bucket_up_to_burst():
    clock = FakeClock()
    limiter = RateLimiter(2, burst=2, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.acquire()
    clock.now += 60  # a long idle period refills only up to the burst size
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, pytest.approx(0.5)]


def test_throughput_over_a_long_run():
    clock = FakeClock()
    limiter = RateLimiter(5, burst=1, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(501):
        limiter.acquire()
    assert (clock.now - start) == pytest.approx(100.0)  # 500 intervals of 0.2 s


def test_threads_reserve_distinct_slots():
    """Under contention every caller gets its own slot: no token is handed out twice."""
    clock = FakeClock()
    slept: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            slept.append(seconds)

    limiter = RateLimiter(10, burst=3, clock=clock, sleep=record)  # the clock stays put: all calls at t0
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: limiter.acquire(), range(40)))
    assert sorted(round(w, 6) for w in waits) == [0.0] * 3 + [round(i / 10, 6) for i in range(1, 38)]
    assert len(slept) == 37


@pytest.mark.parametrize(("rate", "burst"), [(0, None), (-1, None), (5, 0.5)])
def test_rejects_bad_settings(rate, burst):
    with pytest.raises(ValueError, match="must be"):
        RateLimiter(rate, burst)
