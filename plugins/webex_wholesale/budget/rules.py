"""The rules of the shared API budget, as pure functions of its state: when each request may go, and how the
rate moves (additive increase while answers succeed, slowing near the rate the last 429 answered, multiplicative
decrease on 429, a shared pause for ``Retry-After``).

Every store applies exactly these rules atomically: :class:`~webex_wholesale.budget.store.LocalBudgetStore`
calls them inside one SQLite ``BEGIN IMMEDIATE`` transaction, and the Redis store runs the same arithmetic in a Lua
script (``store._REDIS_SCRIPT``), because Redis executes a script atomically. The unit tests run the same
cases against both.

Scheduling is by numbered tickets on one schedule: ticket ``k`` goes at ``base_time + (k - base_ticket) / rate``,
callers in the order they asked. So over any window of ``W`` seconds at most ``W * rate + 1`` requests start,
whatever the number of processes. A ticket's time is not fixed when it is taken: when the rate changes or a 429
pauses everybody, the schedule is rebased at the first ticket not yet due (it keeps its time; the ones after it
are spaced at the new rate, or start after the pause), and callers waiting for a ticket ask again when it is due
(:func:`wait_for`); a ticket that was due but not yet sent when a pause began is re-queued behind the others. A
learned rate that grows thus speeds up callers who are already queued, not only those who ask after them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["BudgetPolicy", "BudgetState", "reserve", "succeeded", "throttled", "wait_for"]


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
    #: On 429 the rate is multiplied by this. Not lower: the rate a 429 answers is within a few percent of the limit
    #: once probing is over, and every second spent below the limit is lost for good, while a pause is not (a
    #: token bucket refills during it). Measured against the simulator's 20/s: 0.7 spent 1.5 s more below the
    #: limit in 1,000 requests than 0.8 did, for one 429 fewer.
    decrease_factor: float = 0.8
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
    #: The schedule: ticket ``base_ticket`` goes at ``base_time``, each later one ``1 / rate`` after the one before.
    base_ticket: int = 0
    base_time: float = 0.0
    #: The number of the next ticket to hand out.
    next_ticket: int = 0
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


#: In tickets: rounding in ``(now - base_time) * rate`` must not make a ticket due exactly now look not due.
DUE_TOLERANCE = 1e-9


def _slot_time(state: BudgetState, ticket: int) -> float:
    """When ``ticket`` may go, on the schedule as it stands (before any pause); a ticket before the base is due."""
    if ticket < state.base_ticket:
        return -math.inf
    return state.base_time + (ticket - state.base_ticket) / state.rate


def _rebase(state: BudgetState, now: float, not_before: float = 0.0) -> None:
    """Restart the schedule at the first ticket not yet due, keeping its time (or moving it to ``not_before``).

    Called before the rate changes, so that the tickets after it are spaced at the new rate, and on a 429, so that
    they start after the pause. Tickets already due keep their place: their requests are on their way.
    """
    elapsed = (now - state.base_time) * state.rate + DUE_TOLERANCE  # a ticket due exactly now is due
    due = math.floor(elapsed) + 1 if elapsed >= 0 else 0
    first = min(state.base_ticket + due, state.next_ticket)
    state.base_time = max(now, _slot_time(state, first), not_before)
    state.base_ticket = first


def reserve(state: BudgetState, now: float) -> tuple[int, float, float]:
    """Take the next ticket; return it, the seconds to wait before sending, and how many of them are a pause.

    An idle budget grants no burst: the schedule restarts at ``now``, one request per ``1 / rate`` from there.
    """
    if _slot_time(state, state.next_ticket) < now:
        state.base_ticket, state.base_time = state.next_ticket, now
    ticket = state.next_ticket
    state.next_ticket += 1
    return wait_for(state, ticket, now)


def wait_for(state: BudgetState, ticket: int, now: float) -> tuple[int, float, float]:
    """Ask again for ``ticket``: return the caller's ticket, the seconds until it may go (0: now), and how many of
    them are a shared pause.

    A ticket that was due when a 429 paused everybody has lost its turn: its request had not left, and sent at the
    pause's end beside the ticket after it, it would break the spacing. It gets a new ticket, behind the queue.
    """
    if ticket < state.base_ticket and state.paused_until > now:
        return reserve(state, now)
    wait = max(0.0, _slot_time(state, ticket) - now, state.paused_until - now)
    return ticket, wait, max(0.0, min(wait, state.paused_until - now))


def succeeded(state: BudgetState, policy: BudgetPolicy, now: float, *, latency: float, queued: bool) -> None:
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
    rate = min(policy.max_rate, state.rate + step)
    if rate != state.rate:
        _rebase(state, now)
        state.rate = rate


def throttled(state: BudgetState, policy: BudgetPolicy, now: float, *, retry_after: float) -> None:
    """A 429: every caller pauses until ``now + retry_after``; the rate is cut once per episode.

    429s that come back from requests sent before the pause began belong to the same episode (one overshoot), so
    a second cut needs the pause of the first to be over.
    """
    new_episode = now >= state.paused_until and now - state.last_cut >= 1.0 / state.rate
    state.paused_until = max(state.paused_until, now + retry_after)
    _rebase(state, now, not_before=state.paused_until)
    if new_episode:
        state.overshoot_rate = state.rate
        state.rate = max(policy.min_rate, state.rate * policy.decrease_factor)
        state.last_cut = now
        state.probing = False
