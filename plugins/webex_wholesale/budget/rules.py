"""The rules of the shared API budget, as pure functions of its state: when each request may go, and how the
rate moves (a slow start that doubles the rate every round trip until the API pushes back, then additive increase
while answers succeed, slowing near the rate the API pushed back at, multiplicative decrease on 429, a shared pause
for ``Retry-After``).

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

Webex publishes no limit, so a learned budget must find one anywhere between a few and hundreds of requests a
second: additive steps sized for 20/s take minutes to reach 200/s. Hence the slow start (``probing``): the rate
doubles every round trip (the smoothed latency) while callers queue and answers succeed, and the first 429, or
latency rising above what the ramp started with (the API queueing requests before it refuses them), halves it and
ends the ramp. From there the steps are additive, scaled to the rate the API pushed back at, so that regrowing
to a limit of 200/s takes as many seconds as to one of 20/s.
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
    #: Until the API first pushes back ("probing", the slow start), the rate is multiplied by this once per round
    #: trip in which callers queued and answers succeeded...
    ramp_factor: float = 2.0
    #: ...a round trip being the smoothed latency, but not shorter than this, seconds (a fast API answers in a few
    #: milliseconds: doubling that often would overshoot a limit by far before its first 429 comes back).
    min_round_trip: float = 0.1
    #: The ramp ends when the smoothed latency exceeds its lowest value in the ramp by this factor...
    latency_rise: float = 1.5
    #: ...and by this many seconds (jitter of a few milliseconds on a fast API is no rise).
    latency_rise_margin: float = 0.05
    #: Ending the ramp, the rate is multiplied by this: the rate before the last doubling held. So it is, too, on a
    #: 429 within ``quick_overshoot`` seconds of the last pause's end: a limit that refills during a pause (a token
    #: bucket holding a second of requests) drained so fast only by a rate about twice the limit or more.
    halving_factor: float = 0.5
    quick_overshoot: float = 1.0
    #: After the ramp, the rate grows by this share of the rate the API pushed back at for every second of answers
    #: that succeeded (at 20/s, 0.5 r/s per second), but by at least ``increase_per_second`` (at 5/s, a step of
    #: 0.5 r/s sawed over the limit every 12 s: 3.5% of the requests answered 429 in a model of 500, 2.3% at 0.1)...
    increase_share: float = 0.025
    increase_per_second: float = 0.1
    #: ...until it is back within this fraction of the rate the API pushed back at (the limit is about there)...
    near_overshoot: float = 0.9
    #: ...from where it creeps up by a tenth of that: each overshoot costs every worker a ``Retry-After`` pause (a
    #: second at least), so the rate stays just under the limit it found rather than sawing over it.
    near_overshoot_slowdown: float = 0.1
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
    #: True until the API first pushes back (a 429 or a latency rise): the slow start, doubling every round trip.
    probing: bool = True
    last_cut: float = 0.0
    #: The rate at which the API last pushed back (before its cut); 0 until it does.
    overshoot_rate: float = 0.0
    #: Smoothed latency of successful answers, seconds (0 until the first sample).
    latency: float = 0.0
    #: When the slow start last raised the rate (one raise per round trip).
    ramped_at: float = 0.0
    #: The lowest smoothed latency seen in the slow start: a rise above it ends the ramp.
    ramp_latency: float = 0.0

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

    Only a budget that held somebody back is raised, or ended by a latency rise: a budget nobody fills learns
    nothing about the API's limit. In the slow start, a latency rise is the API pushing back: the ramp ends as on a
    429, without a pause.
    """
    weight = policy.latency_weight
    state.latency = latency if state.latency <= 0 else (1 - weight) * state.latency + weight * latency
    if not queued:
        return
    if state.probing:
        lowest = state.latency if state.ramp_latency <= 0 else min(state.ramp_latency, state.latency)
        state.ramp_latency = lowest
        if state.latency > lowest * policy.latency_rise + policy.latency_rise_margin:
            _set_rate(state, now, _pushed_back(state, policy, now, far_over=True))
            return
        if now - state.ramped_at < max(state.latency, policy.min_round_trip):
            return
        state.ramped_at = now
        raised = state.rate * policy.ramp_factor
    else:
        per_second = max(policy.increase_per_second, policy.increase_share * state.overshoot_rate)
        if state.overshoot_rate and state.rate >= policy.near_overshoot * state.overshoot_rate:
            per_second *= policy.near_overshoot_slowdown
        raised = state.rate + per_second / state.rate
    _set_rate(state, now, min(policy.max_rate, raised))


def _set_rate(state: BudgetState, now: float, rate: float) -> None:
    """Move the rate, re-spacing the tickets not yet due at the new one."""
    if rate != state.rate:
        _rebase(state, now)
        state.rate = rate


def _pushed_back(state: BudgetState, policy: BudgetPolicy, now: float, *, far_over: bool) -> float:
    """The API pushed back at the current rate: remember it, end the slow start; return the rate cut to (halved
    when ending the ramp or ``far_over``)."""
    factor = policy.halving_factor if state.probing or far_over else policy.decrease_factor
    state.overshoot_rate = state.rate
    state.last_cut = now
    state.probing = False
    return max(policy.min_rate, state.rate * factor)


def throttled(state: BudgetState, policy: BudgetPolicy, now: float, *, retry_after: float) -> None:
    """A 429: every caller pauses until ``now + retry_after``; the rate is cut once per episode.

    429s that come back from requests sent before the pause began belong to the same episode (one overshoot), so
    a second cut needs the pause of the first to be over.
    """
    new_episode = now >= state.paused_until and now - state.last_cut >= 1.0 / state.rate
    far_over = now - state.paused_until < policy.quick_overshoot
    state.paused_until = max(state.paused_until, now + retry_after)
    _rebase(state, now, not_before=state.paused_until)
    if new_episode:
        state.rate = _pushed_back(state, policy, now, far_over=far_over)
