"""The rules of the shared API budget, as pure functions of its state: when the next request may go, and how the
rate moves (additive increase while answers succeed, slowing near the rate the last 429 answered, multiplicative
decrease on 429, a shared pause for ``Retry-After``).

Every store applies exactly these rules atomically: :class:`~webex_wholesale.hooks.budget_store.LocalBudgetStore`
calls them inside one SQLite ``BEGIN IMMEDIATE`` transaction, and the Redis store runs the same arithmetic in a Lua
script (``budget_store._REDIS_SCRIPT``), because Redis executes a script atomically. The unit tests run the same
cases against both.

Scheduling is by reserved slots (the "virtual scheduling" form of GCRA): a request takes the slot
``max(now, next_slot, paused_until)`` and moves ``next_slot`` on by ``1 / rate``. So over any window of ``W``
seconds at most ``W * rate + 1`` requests start, whatever the number of processes, and callers are served in
the order they asked.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BudgetPolicy", "BudgetState", "reserve", "succeeded", "throttled"]


@dataclass(frozen=True)
class BudgetPolicy:
    """How a budget starts and moves. One policy per connection: the configured ceiling, or learned.

    :param ceiling: the connection's ``requests_per_second``: never exceeded; ``None`` when not configured.
    """

    ceiling: float | None = None
    #: Start when nothing is configured: Webex publishes no number; 10/s is well below what its APIs take.
    learned_start: float = 10.0
    #: Highest learned rate (a guard against a runaway estimate when Webex never answers 429).
    learned_max: float = 500.0
    #: The rate never drops below this (a 429 storm slows callers down, it does not stop them).
    min_rate: float = 0.5
    #: Until the first 429 ("probing"), each answer that succeeded while callers queued adds this many r/s.
    probe_step: float = 0.3
    #: After a 429, the rate grows by this many r/s for every second of answers that succeeded...
    increase_per_second: float = 0.5
    #: ...until it is back within this fraction of the rate the last 429 answered (the limit is about there)...
    near_overshoot: float = 0.9
    #: ...from where it creeps up by this many r/s per second: each overshoot costs every worker a ``Retry-After``
    #: pause (a second at least), so the rate stays just under the limit it found rather than sawing over it.
    near_overshoot_increase_per_second: float = 0.05
    #: On 429 the rate is multiplied by this.
    decrease_factor: float = 0.7
    #: EWMA weight of a new latency sample.
    latency_weight: float = 0.2

    @property
    def start_rate(self) -> float:
        return self.ceiling if self.ceiling else self.learned_start

    @property
    def max_rate(self) -> float:
        return self.ceiling if self.ceiling else self.learned_max


@dataclass
class BudgetState:
    """What the store holds per budget (times in seconds on the store's clock)."""

    rate: float
    next_slot: float = 0.0
    paused_until: float = 0.0
    #: True until the first 429: the rate grows fast (per answer) while no limit has been seen.
    probing: bool = True
    last_cut: float = 0.0
    #: The rate the last 429 answered (before its cut); 0 until the first.
    overshoot_rate: float = 0.0
    #: Smoothed latency of successful answers, seconds (0 until the first sample).
    latency: float = 0.0

    @classmethod
    def initial(cls, policy: BudgetPolicy) -> BudgetState:
        return cls(rate=policy.start_rate)


def reserve(state: BudgetState, now: float) -> float:
    """Take the next slot; return the seconds to wait before sending (0 when the slot is now)."""
    slot = max(now, state.next_slot, state.paused_until)
    state.next_slot = slot + 1.0 / state.rate
    return slot - now


def succeeded(state: BudgetState, policy: BudgetPolicy, *, latency: float, queued: bool) -> None:
    """An answer that was not a 429: learn the latency; raise the rate when callers were queued for it.

    Only a budget that held somebody back is raised: a budget nobody fills learns nothing about the API's limit.
    """
    weight = policy.latency_weight
    state.latency = latency if state.latency <= 0 else (1 - weight) * state.latency + weight * latency
    if not queued:
        return
    if state.probing:
        step = policy.probe_step
    elif state.overshoot_rate and state.rate >= policy.near_overshoot * state.overshoot_rate:
        step = policy.near_overshoot_increase_per_second / state.rate
    else:
        step = policy.increase_per_second / state.rate
    state.rate = min(policy.max_rate, state.rate + step)


def throttled(state: BudgetState, policy: BudgetPolicy, now: float, *, retry_after: float) -> None:
    """A 429: every caller pauses until ``now + retry_after``; the rate is cut once per episode.

    429s that come back from requests sent before the pause began belong to the same episode (one overshoot), so
    a second cut needs the pause of the first to be over.
    """
    if now >= state.paused_until and now - state.last_cut >= 1.0 / state.rate:
        state.overshoot_rate = state.rate
        state.rate = max(policy.min_rate, state.rate * policy.decrease_factor)
        state.last_cut = now
        state.probing = False
    state.paused_until = max(state.paused_until, now + retry_after)
