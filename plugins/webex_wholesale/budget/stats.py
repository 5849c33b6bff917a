"""What one process's requests did with the shared API budget: counted by the hook, summed for the run's report.

Apart from :mod:`~webex_wholesale.budget.api_budget`: plain counts, no store and no clock, so that the report merges
the figures of several processes as data.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BudgetStats"]


@dataclass
class BudgetStats:
    """What one process's requests did with the budget (taken together across tasks with :meth:`merged`).

    Thread-safe: the threads of a task record into one object.
    """

    requests: int = 0
    throttled: int = 0
    first_at: float | None = None
    last_at: float | None = None
    #: Request starts per wall-clock second (epoch second -> count): the peak rate, also across processes.
    per_second: Counter[int] = field(default_factory=Counter)
    #: Wall-clock intervals (epoch seconds, disjoint, sorted) during which requests waited out a shared pause.
    pauses: list[tuple[float, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def average_rate(self) -> float:
        """Requests per second over the wall-clock seconds their starts fell in, as the peak counts them: two
        requests 0.1 s apart went at 2/s, not 20/s, and the average never exceeds the peak."""
        if self.first_at is None or self.last_at is None:
            return 0.0
        return self.requests / (int(self.last_at) - int(self.first_at) + 1)

    @property
    def peak_rate(self) -> int:
        return max(self.per_second.values(), default=0)

    @property
    def paused_s(self) -> float:
        """Wall-clock time paused (overlapping waits of several threads or tasks count once)."""
        return sum(end - start for start, end in self.pauses)

    def record_start(self, at: float, pauses: list[tuple[float, float]] = ()) -> None:
        """One request sent at ``at`` (epoch seconds), after waiting out ``pauses``."""
        with self._lock:
            self.requests += 1
            self.first_at = at if self.first_at is None else min(self.first_at, at)
            self.last_at = at if self.last_at is None else max(self.last_at, at)
            self.per_second[int(at)] += 1
            self.pauses = _union([*self.pauses, *pauses])

    def record_throttled(self) -> None:
        with self._lock:
            self.throttled += 1

    def summary(self) -> dict[str, Any]:
        """JSON-ready figures for XCom, the log and the report."""
        return {
            "requests": self.requests,
            "throttled": self.throttled,
            "averageRate": round(self.average_rate, 2),
            "peakRate": self.peak_rate,
            "pausedSeconds": round(self.paused_s, 2),
            "firstAt": self.first_at,
            "lastAt": self.last_at,
            "perSecond": {str(k): v for k, v in sorted(self.per_second.items())},
            "pauses": [list(p) for p in self.pauses],
        }

    @classmethod
    def merged(cls, summaries: list[Mapping[str, Any]]) -> BudgetStats:
        """The stats of several tasks (batches) taken together, from their :meth:`summary` dicts."""
        total = cls()
        for s in summaries:
            total.requests += int(s.get("requests", 0))
            total.throttled += int(s.get("throttled", 0))
            firsts = [t for t in (total.first_at, s.get("firstAt")) if t is not None]
            lasts = [t for t in (total.last_at, s.get("lastAt")) if t is not None]
            total.first_at = min(firsts, default=None)
            total.last_at = max(lasts, default=None)
            total.per_second.update({int(k): int(v) for k, v in (s.get("perSecond") or {}).items()})
            total.pauses = _union([*total.pauses, *((float(a), float(b)) for a, b in s.get("pauses") or [])])
        return total

    def describe(self) -> str:
        return (
            f"requests={self.requests} throttled_429={self.throttled} average_rate={self.average_rate:.1f}/s "
            f"peak_rate={self.peak_rate}/s paused_s={self.paused_s:.1f}"
        )


def _union(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Merge overlapping intervals."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
