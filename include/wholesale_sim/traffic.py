"""The traffic rules that make the simulator behave like a busy service: rate limit, faults, slow answers.

All are off by default. Faults and slow answers come from a seeded ``random.Random`` that draws the same three
numbers for every ``/v1`` request whatever the rates, so a given seed and request order always give the same
sequence of faults (and changing ``--slow-rate`` does not move the faults).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from wholesale_sim.config import SimConfig

FAULT_STATUSES = (500, 502, 503, 429)


def _monotonic() -> float:
    """``time.monotonic()``, looked up when called: a default bound at import would escape a test's clock."""
    return time.monotonic()


class Limiter(Protocol):
    def acquire(self) -> int | None:
        """Let one request through (``None``), or say how many whole seconds to wait (``Retry-After``, at least 1)."""


def rate_limiter(config: SimConfig, *, clock: Callable[[], float] = _monotonic) -> Limiter | None:
    """The limiter ``config`` asks for: none, a token bucket, or a fixed window (``rate_window``)."""
    if not config.rate_limit:
        return None
    if config.rate_window:
        return FixedWindowLimiter(config.rate_limit, config.rate_window, clock=clock)
    return RateLimiter(config.rate_limit, clock=clock)


class RateLimiter:
    """A token bucket: ``rate`` requests per second on average, bursts of up to ``rate`` requests."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = _monotonic) -> None:
        self._rate = rate
        self._capacity = max(rate, 1.0)
        self._tokens = self._capacity
        self._clock = clock
        self._last = clock()

    def acquire(self) -> int | None:
        """Take one token; when none is left, the whole seconds to wait (``Retry-After``, at least 1)."""
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self._tokens) / self._rate))


class FixedWindowLimiter:
    """``rate x window`` requests per fixed window of ``window`` seconds, the count reset when the next one starts.

    The same average rate as the token bucket, another shape: a full window's allowance may go in a burst at its
    start, and a client over the limit waits for the window's end (``Retry-After`` up to the whole window).
    """

    def __init__(self, rate: float, window: float, *, clock: Callable[[], float] = _monotonic) -> None:
        self._allowance = max(1, math.floor(rate * window))
        self._window = window
        self._clock = clock
        self._start = clock()
        self._count = 0

    def acquire(self) -> int | None:
        now = self._clock()
        if now - self._start >= self._window:
            self._start += math.floor((now - self._start) / self._window) * self._window
            self._count = 0
        if self._count < self._allowance:
            self._count += 1
            return None
        return max(1, math.ceil(self._start + self._window - now))


@dataclass(frozen=True)
class Draw:
    """What happens to one request: a fault status to answer instead (or ``None``), and whether it is slow."""

    fault_status: int | None
    slow: bool


class FaultPlan:
    def __init__(self, fault_rate: float, slow_rate: float, seed: int) -> None:
        self._fault_rate = fault_rate
        self._slow_rate = slow_rate
        self._rng = random.Random(seed)

    @classmethod
    def from_config(cls, config: SimConfig) -> FaultPlan:
        return cls(config.fault_rate, config.slow_rate, config.seed)

    def draw(self) -> Draw:
        fault_roll, status_roll, slow_roll = self._rng.random(), self._rng.random(), self._rng.random()
        status = FAULT_STATUSES[int(status_roll * len(FAULT_STATUSES))] if fault_roll < self._fault_rate else None
        return Draw(fault_status=status, slow=slow_roll < self._slow_rate)
