"""The traffic rules that make the simulator behave like a busy service: rate limit, faults, slow answers.

All are off by default. Faults and slow answers come from a seeded ``random.Random`` that draws the same three
numbers for every ``/v1`` request whatever the rates, so a given seed and request order always give the same
sequence of faults (and changing ``--slow-rate`` does not move the faults).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from wholesale_sim.config import SimConfig

FAULT_STATUSES = (500, 502, 503, 429)


class RateLimiter:
    """A token bucket: ``rate`` requests per second on average, bursts of up to ``rate`` requests."""

    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._capacity = max(rate, 1.0)
        self._tokens = self._capacity
        self._last = time.monotonic()

    @classmethod
    def from_config(cls, config: SimConfig) -> RateLimiter | None:
        return cls(config.rate_limit) if config.rate_limit else None

    def acquire(self) -> int | None:
        """Take one token; when none is left, the whole seconds to wait (``Retry-After``, at least 1)."""
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self._tokens) / self._rate))


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
