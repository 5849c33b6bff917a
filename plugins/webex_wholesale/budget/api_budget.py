"""One request budget per API connection, shared by every thread, task, run and worker that calls it.

The hook waits for its turn in the budget before every attempt (:meth:`ApiBudget.acquire`: a numbered ticket whose
time follows the rate and any pause) and reports the answer (:meth:`ApiBudget.answered`). The state (schedule,
rate, pause) lives in a store every process shares (:mod:`~webex_wholesale.budget.store`); the rules are in
:mod:`~webex_wholesale.budget.rules`:

* a configured ``requests_per_second`` (connection extra) is the ceiling, never exceeded; not configured, the rate
  is learned: it starts at 10/s (or at the rate the connection's last run found), doubles every round trip while
  answers succeed and callers queue until the first 429 or a latency rise, then grows additively and is cut on
  every 429;
* a 429's ``Retry-After`` pauses every caller of the budget, not only the thread that got it.

Which store: Redis when the Airflow connection ``webex_wholesale_budget`` is defined (``redis://host:6379/1``), else
an SQLite file in ``AIRFLOW_HOME`` that every process of the machine shares. Each process also counts what its own
requests did (:class:`BudgetStats`: requests, 429s, average and peak rate, time paused) for the run's report.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webex_wholesale.budget.rules import BudgetPolicy, BudgetState
from webex_wholesale.budget.stats import BudgetStats
from webex_wholesale.budget.store import BudgetStore, LocalBudgetStore, RedisBudgetStore, unavailable
from webex_wholesale.http_status import DEFAULT_RETRY_AFTER
from webex_wholesale.ids import BUDGET_CONN_ID

__all__ = ["ApiBudget", "budget_store", "open_budget"]

#: The embedded store's file name, in ``AIRFLOW_HOME``.
LOCAL_STORE_FILE = "webex_wholesale_budget.sqlite"
#: Latency assumed before any answer was timed, seconds.
DEFAULT_LATENCY = 0.25
#: Requests in flight are sized for this multiple of rate x latency (answers vary; threads wait in the budget)...
IN_FLIGHT_HEADROOM = 1.5
#: ...plus this much of a thread's own time per request, seconds: in a task, at 100 ms answers, each took 0.25-0.3 s
#: (logging through Airflow's supervisor, parsing, the GIL the threads share), so sizing on latency alone left a
#: lone batch at 15-17 requests/s of 20. Not more: every waiting thread holds a slot reserved at the rate of the
#: moment, so a learned rate that grows reaches the threads already queued only when they ask again.
CALLER_TIME = 0.15
#: With a learned rate, room to grow: in-flight sized for this multiple of the current rate (in the slow start, for
#: the highest learned rate: the rate doubles every round trip, faster than a batch's threads are started).
LEARNED_GROWTH_ROOM = 2.0
#: A caller waiting for its turn asks the store again this often, seconds (and once more when its turn comes):
#: a learned rate that grows reaches the callers already queued within this time. Measured with 32 threads at a
#: 20/s ceiling (1.2 s of queue) on the embedded store: 7.7 store operations a request instead of 3, 150 a second,
#: 4.2% of a core instead of 2.6% (each re-check is a write: a turn lost to a pause is re-queued in the same
#: transaction; as a read it was 3.5%).
RECHECK_INTERVAL = 0.25


@dataclass(frozen=True)
class Slot:
    """A granted slot: whether the caller had to queue for it (then a success may raise the rate)."""

    queued: bool


class ApiBudget:
    """The budget of one API connection, as a process sees it.

    :param store: where the shared state lives.
    :param key: the budget's name in the store (one per connection and API base URL).
    :param policy: the configured ceiling or the learning rules.
    :param sleep: how to wait for a slot (tests inject a fake).
    """

    def __init__(
        self,
        store: BudgetStore,
        key: str,
        policy: BudgetPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.key = key
        self.policy = policy
        self._sleep = sleep
        self._clock = clock
        self.stats = BudgetStats()

    def __repr__(self) -> str:
        ceiling = f"{self.policy.ceiling:g}/s" if self.policy.ceiling else "learned"
        return f"ApiBudget(key={self.key!r}, {ceiling}, {self.store.description})"

    def acquire(self) -> Slot:
        """Wait for this caller's turn (and out any shared pause); raise if the store is unreachable.

        A caller asks again every ``RECHECK_INTERVAL`` while it waits, for its turn moves when the rate changes or a
        429 pauses everybody: it goes when the budget says so, not when it was told on asking. A shared pause is
        slept whole (it is never shortened, only extended by later 429s), then the caller asks again; a caller whose
        turn came just before a 429 gets a new one behind the queue.
        """
        asked = self._clock()
        ticket, wait, paused = self.store.reserve(self.key, self.policy)
        queued = wait > 0
        pauses: list[tuple[float, float]] = []
        while wait > 0:
            if paused > 0:
                pauses.append((asked, asked + paused))
            self._sleep(max(paused, min(wait, RECHECK_INTERVAL)))
            asked = self._clock()
            ticket, wait, paused = self.store.wait_for(self.key, self.policy, ticket)
        self.stats.record_start(self._clock(), pauses)
        return Slot(queued=queued)

    def answered(self, slot: Slot, status: int, *, latency: float, retry_after: float | None = None) -> None:
        """Report an answer: a 429 pauses everybody and cuts the rate; a 2xx teaches latency and may raise it."""
        if status == 429:
            self.stats.record_throttled()
            wait = DEFAULT_RETRY_AFTER if retry_after is None else retry_after
            self.store.throttled(self.key, self.policy, retry_after=wait)
        elif 200 <= status < 300:
            self.store.succeeded(self.key, self.policy, latency=latency, queued=slot.queued)

    def state(self) -> BudgetState:
        """The shared state now (rate, pause, smoothed latency)."""
        return self.store.snapshot(self.key, self.policy)

    def in_flight(self, limit: int = 32) -> int:
        """How many requests a caller should keep in flight to fill the budget at the latency observed.

        ``rate x (latency + a caller's own time)`` requests are in flight when the budget is full; the headroom
        covers slower answers (extra callers just wait for a slot, they never exceed the rate). A learned rate gets
        room to grow.
        """
        state = self.state()
        room = self.policy.max_rate if state.probing else state.rate * LEARNED_GROWTH_ROOM
        rate = self.policy.ceiling or min(self.policy.max_rate, room)
        latency = state.latency or DEFAULT_LATENCY
        full = round(rate * (latency * IN_FLIGHT_HEADROOM + CALLER_TIME), 6)  # 6.000000001 is 6 requests, not 7
        return max(1, min(limit, math.ceil(full) + 1))


_stores: dict[str, BudgetStore] = {}
_stores_lock = threading.Lock()


def budget_store() -> BudgetStore:
    """This process's store: Redis from the connection ``webex_wholesale_budget``, else the embedded file.

    One store object per process, so that every hook shares one Redis connection pool.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(BUDGET_CONN_ID)
    except AirflowNotFoundException:
        conn = None
    except Exception as e:
        raise unavailable(f"the Airflow connection {BUDGET_CONN_ID!r}", e) from e
    if conn is None:
        home = Path(os.environ.get("AIRFLOW_HOME") or Path.home() / "airflow")
        name = str(home / LOCAL_STORE_FILE)
        factory: Callable[[], BudgetStore] = lambda: LocalBudgetStore(Path(name))  # noqa: E731
    else:
        name = f"redis://{conn.host}:{conn.port or 6379}/{conn.schema or 0}"
        factory = lambda: _redis_store(conn, name)  # noqa: E731
    with _stores_lock:
        if name not in _stores:
            _stores[name] = factory()
        return _stores[name]


def _redis_store(conn: Any, name: str) -> RedisBudgetStore:
    import redis

    extra = conn.extra_dejson or {}
    client = redis.Redis(
        host=conn.host or "localhost",
        port=int(conn.port or 6379),
        db=int(conn.schema or 0),
        username=conn.login or None,
        password=conn.password or None,
        ssl=bool(extra.get("ssl", False)),
        socket_connect_timeout=5,
        socket_timeout=5,
    )
    return RedisBudgetStore(client, description=f"the budget store {name} (connection {BUDGET_CONN_ID!r})")


def open_budget(conn_id: str, base_url: str, requests_per_second: float | None) -> ApiBudget:
    """The budget of one API connection: keyed by connection id and base URL, ceiling from the connection."""
    ceiling = requests_per_second if requests_per_second and requests_per_second > 0 else None
    return ApiBudget(budget_store(), f"{conn_id}@{base_url}", BudgetPolicy(ceiling=ceiling))
