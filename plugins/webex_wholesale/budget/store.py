"""Where the shared API budget lives: Redis (every machine) or an SQLite file in ``AIRFLOW_HOME`` (one machine).

Both apply :mod:`~webex_wholesale.budget.rules` atomically, so that every process taking from a budget sees
one schedule, one rate and one pause:

* :class:`RedisBudgetStore` runs the rules as a Lua script (Redis runs a script alone, and its clock is the one
  clock all machines share, so no two hosts' clocks need to agree). Used when the Airflow connection
  ``webex_wholesale_budget`` is defined (``redis://host:6379/1``).
* :class:`LocalBudgetStore` keeps the state in ``$AIRFLOW_HOME/webex_wholesale_budget.sqlite`` and applies the rules
  inside ``BEGIN IMMEDIATE`` (SQLite's write lock, held for one read-modify-write; WAL, no fsync per commit since
  the state is worth nothing after a reboot). Every process of one machine shares the file.

A store that cannot be reached raises :class:`~webex_wholesale.exceptions.WebexBudgetUnavailableError`: the task
fails and is retried; it never runs unlimited.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import tenacity

from webex_wholesale.budget.rules import BudgetPolicy, BudgetState, reserve, succeeded, throttled, wait_for
from webex_wholesale.exceptions import WebexBudgetUnavailableError
from webex_wholesale.ids import BUDGET_CONN_ID

__all__ = ["BudgetStore", "LocalBudgetStore", "RedisBudgetStore", "unavailable"]

#: A budget nobody used for 30 days is forgotten (its learned rate starts over); until then a new run starts at the
#: rate the last one found, without a slow start to repeat.
STATE_TTL_SECONDS = 30 * 86_400
#: Seconds the embedded store waits for another process's lock before it counts as failed.
SQLITE_LOCK_TIMEOUT = 30.0


class BudgetStore(Protocol):
    """Atomic operations on the budget state stored under ``key`` (each one round trip)."""

    #: Names the store in messages (no password).
    description: str

    def reserve(self, key: str, policy: BudgetPolicy) -> tuple[int, float, float]:
        """Take the next ticket; return ``(ticket, seconds to wait, of which seconds due to a shared pause)``."""

    def wait_for(self, key: str, policy: BudgetPolicy, ticket: int) -> tuple[int, float, float]:
        """Ask again for a ticket taken earlier: as :meth:`reserve` answers, with a new ticket if it lost its turn."""

    def succeeded(self, key: str, policy: BudgetPolicy, *, latency: float, queued: bool) -> None:
        """Record an answer that was not a 429."""

    def throttled(self, key: str, policy: BudgetPolicy, *, retry_after: float) -> None:
        """Record a 429: pause everybody, cut the rate."""

    def snapshot(self, key: str, policy: BudgetPolicy) -> BudgetState:
        """The current state (read only)."""


def unavailable(description: str, cause: BaseException) -> WebexBudgetUnavailableError:
    """The error for a store that failed: which store, why, and that the task will be retried."""
    return WebexBudgetUnavailableError(
        f"The shared Webex API budget cannot be used: {description} failed ({type(cause).__name__}: {cause}). "
        "No request was sent; the task fails and Airflow retries it. Fix the store, or delete the Airflow "
        f"connection {BUDGET_CONN_ID} to use the embedded single-machine store."
    )


def _is_busy(error: BaseException) -> bool:
    return isinstance(error, sqlite3.Error) and error.sqlite_errorname == "SQLITE_BUSY"


@tenacity.retry(
    retry=tenacity.retry_if_exception(_is_busy),
    wait=tenacity.wait_random(0.005, 0.05),
    stop=tenacity.stop_after_delay(SQLITE_LOCK_TIMEOUT),
    reraise=True,
)
def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode, retrying while another connection does the same.

    Switching a new file's journal mode takes a lock SQLite does not wait for (the busy timeout does not apply):
    threads or processes opening a new store at the same moment get ``SQLITE_BUSY`` ("database is locked") at once.
    """
    conn.execute("PRAGMA journal_mode=WAL")


class LocalBudgetStore:
    """The budget in an SQLite file shared by the processes of one machine.

    :param path: the database file (created on first use).
    :param clock: wall clock in seconds; every process on the machine reads the same one.
    """

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.description = f"embedded budget store {self.path}"
        self._clock = clock
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=SQLITE_LOCK_TIMEOUT, isolation_level=None)
                _switch_to_wal(conn)
                conn.execute("PRAGMA synchronous=OFF")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS budget (key TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL)"
                )
            except (OSError, sqlite3.Error) as e:
                raise unavailable(self.description, e) from e
            self._local.conn = conn
        return conn

    def _apply(self, key: str, policy: BudgetPolicy, change: Callable[[BudgetState, float], Any], write: bool) -> Any:
        conn = self._connection()
        now = self._clock()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                row = conn.execute("SELECT state, updated FROM budget WHERE key = ?", (key,)).fetchone()
                state = _load(policy, json.loads(row[0]) if row and now - row[1] < STATE_TTL_SECONDS else None)
                result = change(state, now)
                if write:
                    conn.execute(
                        "INSERT INTO budget (key, state, updated) VALUES (?, ?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                        (key, json.dumps(vars(state)), now),  # flat: vars, not the deep copy of asdict
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise unavailable(self.description, e) from e
        return result

    def reserve(self, key: str, policy: BudgetPolicy) -> tuple[int, float, float]:
        return self._apply(key, policy, reserve, write=True)

    def wait_for(self, key: str, policy: BudgetPolicy, ticket: int) -> tuple[int, float, float]:
        return self._apply(key, policy, lambda s, now: wait_for(s, ticket, now), write=True)

    def succeeded(self, key: str, policy: BudgetPolicy, *, latency: float, queued: bool) -> None:
        self._apply(key, policy, lambda s, now: succeeded(s, policy, now, latency=latency, queued=queued), write=True)

    def throttled(self, key: str, policy: BudgetPolicy, *, retry_after: float) -> None:
        self._apply(key, policy, lambda s, now: throttled(s, policy, now, retry_after=retry_after), write=True)

    def snapshot(self, key: str, policy: BudgetPolicy) -> BudgetState:
        return self._apply(key, policy, lambda s, _now: s, write=False)


def _load(policy: BudgetPolicy, stored: dict[str, Any] | None) -> BudgetState:
    """The stored state, or a fresh one; a rate above the policy's ceiling (lowered since) is clamped to it.

    Fields an earlier version stored and this one does not know (``next_slot``, before tickets) are dropped: the
    schedule starts afresh, the learned rate, pause and latency carry on.
    """
    known = {k: v for k, v in (stored or {}).items() if k in BudgetState.__dataclass_fields__}
    state = BudgetState(**known) if "rate" in known else BudgetState.initial(policy)
    state.rate = min(state.rate, policy.max_rate)
    return state


#: The policy as the Lua script reads it: ``ARGV[2]`` onwards, in this order.
_POLICY_ARGS = (
    "start_rate", "max_rate", "min_rate", "ramp_factor", "min_round_trip", "latency_rise", "latency_rise_margin",
    "halving_factor", "quick_overshoot", "increase_share", "increase_per_second", "near_overshoot",
    "near_overshoot_slowdown", "decrease_factor", "latency_weight",
)  # fmt: skip
#: The state's fields in the Redis hash, in the order ``snapshot`` returns them.
_STATE_FIELDS = (
    "rate", "base_ticket", "base_time", "next_ticket", "paused_until", "probing", "last_cut", "latency",
    "overshoot_rate", "ramped_at", "ramp_latency",
)  # fmt: skip

# The rules of budget_rules.py, for Redis. Returns strings: Redis truncates Lua numbers to integers. The state
# is stored with 17 digits (tostring keeps 14: a tenth of a millisecond on an epoch clock).
_REDIS_SCRIPT = """
local key, op = KEYS[1], ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local start_rate, max_rate, min_rate = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ramp_factor, min_round_trip = tonumber(ARGV[5]), tonumber(ARGV[6])
local latency_rise, latency_rise_margin = tonumber(ARGV[7]), tonumber(ARGV[8])
local halving, quick_overshoot = tonumber(ARGV[9]), tonumber(ARGV[10])
local increase_share, increase, near, near_slowdown = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13]),
  tonumber(ARGV[14])
local decrease, weight = tonumber(ARGV[15]), tonumber(ARGV[16])
local a1, a2, ttl = ARGV[17], ARGV[18], tonumber(ARGV[19])
local h = redis.call('HMGET', key, 'rate', 'base_ticket', 'base_time', 'next_ticket', 'paused_until', 'probing',
  'last_cut', 'latency', 'overshoot_rate', 'ramped_at', 'ramp_latency')
local rate = math.min(tonumber(h[1]) or start_rate, max_rate)
local base_ticket, base_time, next_ticket = tonumber(h[2]) or 0, tonumber(h[3]) or 0, tonumber(h[4]) or 0
local paused = tonumber(h[5]) or 0
local probing = h[6] ~= '0'
local last_cut, latency, overshoot = tonumber(h[7]) or 0, tonumber(h[8]) or 0, tonumber(h[9]) or 0
local ramped_at, ramp_latency = tonumber(h[10]) or 0, tonumber(h[11]) or 0
local function slot_time(ticket)
  if ticket < base_ticket then return -math.huge end
  return base_time + (ticket - base_ticket) / rate
end
local function turn(ticket)
  local wait = math.max(0, slot_time(ticket) - now, paused - now)
  return {tostring(ticket), tostring(wait), tostring(math.max(0, math.min(wait, paused - now)))}
end
local function reserve()
  if slot_time(next_ticket) < now then base_ticket, base_time = next_ticket, now end
  next_ticket = next_ticket + 1
  return turn(next_ticket - 1)
end
local function rebase(not_before)
  local due, elapsed = 0, (now - base_time) * rate + 1e-9
  if elapsed >= 0 then due = math.floor(elapsed) + 1 end
  local first = math.min(base_ticket + due, next_ticket)
  base_time = math.max(now, slot_time(first), not_before)
  base_ticket = first
end
local function set_rate(new_rate)
  if new_rate ~= rate then
    rebase(0)
    rate = new_rate
  end
end
local function pushed_back(far_over)
  local factor = decrease
  if probing or far_over then factor = halving end
  overshoot = rate
  last_cut = now
  probing = false
  return math.max(min_rate, rate * factor)
end
local function succeeded(sample, queued)
  if latency <= 0 then latency = sample else latency = (1 - weight) * latency + weight * sample end
  if not queued then return end
  local raised
  if probing then
    if ramp_latency <= 0 then ramp_latency = latency else ramp_latency = math.min(ramp_latency, latency) end
    if latency > ramp_latency * latency_rise + latency_rise_margin then
      set_rate(pushed_back(true))
      return
    end
    if now - ramped_at < math.max(latency, min_round_trip) then return end
    ramped_at = now
    raised = rate * ramp_factor
  else
    local per_second = math.max(increase, increase_share * overshoot)
    if overshoot > 0 and rate >= near * overshoot then per_second = per_second * near_slowdown end
    raised = rate + per_second / rate
  end
  set_rate(math.min(max_rate, raised))
end
local answer = {}
if op == 'snapshot' then
  return {tostring(rate), tostring(base_ticket), tostring(base_time - now), tostring(next_ticket),
    tostring(paused - now), probing and '1' or '0', tostring(last_cut - now), tostring(latency), tostring(overshoot),
    tostring(ramped_at - now), tostring(ramp_latency)}
elseif op == 'reserve' then
  answer = reserve()
elseif op == 'wait_for' then
  local ticket = tonumber(a1)
  if ticket < base_ticket and paused > now then answer = reserve() else answer = turn(ticket) end
elseif op == 'succeeded' then
  succeeded(tonumber(a1), a2 == '1')
elseif op == 'throttled' then
  local new_episode = now >= paused and now - last_cut >= 1 / rate
  local far_over = now - paused < quick_overshoot
  paused = math.max(paused, now + tonumber(a1))
  rebase(paused)
  if new_episode then rate = pushed_back(far_over) end
end
local function exact(x) return string.format('%.17g', x) end
redis.call('HSET', key, 'rate', exact(rate), 'base_ticket', exact(base_ticket), 'base_time', exact(base_time),
  'next_ticket', exact(next_ticket), 'paused_until', exact(paused), 'probing', probing and '1' or '0',
  'last_cut', exact(last_cut), 'latency', exact(latency), 'overshoot_rate', exact(overshoot),
  'ramped_at', exact(ramped_at), 'ramp_latency', exact(ramp_latency))
redis.call('EXPIRE', key, ttl)
return answer
"""


class RedisBudgetStore:
    """The budget in Redis, shared by every process on every machine that reaches the server.

    :param client: a ``redis.Redis`` client (its connection pool is shared by the threads of a process).
    :param description: names the store in messages (the connection id and host, no password).
    :param prefix: key prefix (tests use a unique one).
    """

    def __init__(self, client: Any, *, description: str, prefix: str = "webex_wholesale:budget:") -> None:
        self.description = description
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_REDIS_SCRIPT)

    def _run(self, op: str, key: str, policy: BudgetPolicy, *extra: Any) -> Any:
        import redis

        args = [op, *(getattr(policy, name) for name in _POLICY_ARGS), *(extra or (0, 0)), STATE_TTL_SECONDS]
        try:
            return self._script(keys=[self._prefix + key], args=args)
        except redis.RedisError as e:
            raise unavailable(self.description, e) from e

    def reserve(self, key: str, policy: BudgetPolicy) -> tuple[int, float, float]:
        ticket, wait, paused = self._run("reserve", key, policy)
        return int(float(ticket)), float(wait), float(paused)

    def wait_for(self, key: str, policy: BudgetPolicy, ticket: int) -> tuple[int, float, float]:
        turn, wait, paused = self._run("wait_for", key, policy, ticket, 0)
        return int(float(turn)), float(wait), float(paused)

    def succeeded(self, key: str, policy: BudgetPolicy, *, latency: float, queued: bool) -> None:
        self._run("succeeded", key, policy, latency, 1 if queued else 0)

    def throttled(self, key: str, policy: BudgetPolicy, *, retry_after: float) -> None:
        self._run("throttled", key, policy, retry_after, 0)

    def snapshot(self, key: str, policy: BudgetPolicy) -> BudgetState:
        """The state with its times made relative to now on the local clock (Redis's clock is not ours)."""
        answer = dict(zip(_STATE_FIELDS, self._run("snapshot", key, policy), strict=True))
        fields = {name: float(value) for name, value in answer.items()}
        now = time.time()
        for name in ("base_time", "paused_until", "last_cut", "ramped_at"):
            fields[name] += now
        tickets = {name: int(fields[name]) for name in ("base_ticket", "next_ticket")}
        return BudgetState(**{**fields, **tickets, "probing": answer["probing"] in (b"1", "1")})
