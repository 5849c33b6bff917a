"""What one process's requests did with the shared API budget: counted by the hook, summed for the run's report.

Apart from :mod:`~webex_wholesale.hooks.budget` so that the report (imported when the DAG file is parsed) can
merge the figures without importing the budget's stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BudgetStats"]


@dataclass
class BudgetStats:
    """What one process's requests did with the budget (summed across batches with :meth:`merged`)."""

    requests: int = 0
    throttled: int = 0
    paused_s: float = 0.0
    queued_s: float = 0.0
    first_at: float | None = None
    last_at: float | None = None
    #: Request starts per wall-clock second (epoch second -> count): the peak rate across processes.
    per_second: Counter[int] = field(default_factory=Counter)

    @property
    def average_rate(self) -> float:
        span = (self.last_at or 0.0) - (self.first_at or 0.0)
        return self.requests / span if span > 0 else float(self.requests)

    @property
    def peak_rate(self) -> int:
        return max(self.per_second.values(), default=0)

    def summary(self) -> dict[str, Any]:
        """JSON-ready figures for XCom, the log and the report."""
        return {
            "requests": self.requests,
            "throttled": self.throttled,
            "averageRate": round(self.average_rate, 2),
            "peakRate": self.peak_rate,
            "pausedSeconds": round(self.paused_s, 2),
            "queuedSeconds": round(self.queued_s, 2),
            "firstAt": self.first_at,
            "lastAt": self.last_at,
            "perSecond": {str(k): v for k, v in sorted(self.per_second.items())},
        }

    @classmethod
    def merged(cls, summaries: list[Mapping[str, Any]]) -> BudgetStats:
        """The stats of several tasks (batches) taken together, from their :meth:`summary` dicts."""
        total = cls()
        for s in summaries:
            total.requests += int(s.get("requests", 0))
            total.throttled += int(s.get("throttled", 0))
            total.paused_s += float(s.get("pausedSeconds", 0.0))
            total.queued_s += float(s.get("queuedSeconds", 0.0))
            if s.get("firstAt") is not None:
                total.first_at = min(filter(None, (total.first_at, s["firstAt"])))
            if s.get("lastAt") is not None:
                total.last_at = max(filter(None, (total.last_at, s["lastAt"])))
            total.per_second.update({int(k): int(v) for k, v in (s.get("perSecond") or {}).items()})
        return total

    def describe(self) -> str:
        return (
            f"requests={self.requests} throttled_429={self.throttled} average_rate={self.average_rate:.1f}/s "
            f"peak_rate={self.peak_rate}/s paused_s={self.paused_s:.1f}"
        )
