"""Clocks that tests move themselves, so that no assertion depends on how fast a loaded machine runs."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


class SimClock:
    """The in-process simulators' clock (statuses and the rate limit derive from it), which a test can stop.

    While stopped, no customer leaves the phase it is in and no rate-limit token refills, however long a loaded
    machine takes between two requests: an in-between status is asserted without a race. Started again, it goes on
    from where it stopped (plus whatever :meth:`advance` added).
    """

    def __init__(self) -> None:
        self._behind = 0.0  # seconds the clock has spent stopped, less those advanced
        self._stopped_at: float | None = None

    def __call__(self) -> float:
        return self._stopped_at if self._stopped_at is not None else time.time() - self._behind

    def advance(self, seconds: float) -> None:
        if self._stopped_at is not None:
            self._stopped_at += seconds
        else:
            self._behind -= seconds

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        self._stopped_at = self()
        try:
            yield
        finally:
            self._behind = time.time() - self._stopped_at
            self._stopped_at = None


class FakeClock:
    """Epoch seconds that move only when code sleeps on them (in a thread or in an event loop), at once."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.now += seconds
