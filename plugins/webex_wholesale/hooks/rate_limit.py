"""A thread-safe client-side rate limiter (token bucket) for the Webex Wholesale hook.

Webex publishes no numeric limits for the wholesale endpoints and answers ``429`` + ``Retry-After`` when a caller
goes too fast (the hook honours that). A client-side limit keeps a fan-out of many threads from provoking those
429s in the first place. It limits one process (one hook, shared by the threads of a task); a budget shared by
several tasks or DAGs is the job of an Airflow pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Token bucket: on average ``rate_per_second`` acquisitions per second, with bursts up to ``burst``.

    The bucket starts full. :meth:`acquire` takes one token, waiting (outside the lock) until it is available.
    Waiting callers reserve their token under the lock, so concurrent threads are served in arrival order and the
    long-run rate never exceeds ``rate_per_second`` however many threads call it.

    :param rate_per_second: sustained rate, > 0.
    :param burst: bucket size (the number of calls allowed back to back after an idle period); defaults to one
        second's worth of calls, at least 1.
    :param clock: monotonic clock in seconds (injectable for tests).
    :param sleep: sleep function (injectable for tests).
    """

    def __init__(
        self,
        rate_per_second: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate_per_second or rate_per_second <= 0:
            raise ValueError(f"rate_per_second must be > 0, got {rate_per_second!r}")
        capacity = float(burst) if burst is not None else max(1.0, float(rate_per_second))
        if capacity < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        self.rate_per_second = float(rate_per_second)
        self.burst = capacity
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = capacity
        self._last = clock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is available. Return the seconds waited (0.0 when none)."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._last)
            self._last = now
            self._tokens = min(self.burst, self._tokens + elapsed * self.rate_per_second)
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate_per_second
        if wait > 0:
            self._sleep(wait)
        return wait

    def __repr__(self) -> str:
        return f"RateLimiter(rate_per_second={self.rate_per_second}, burst={self.burst})"
